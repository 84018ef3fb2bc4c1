import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppError } from '../../../src/network/smpp/errors.js';
import { classifyFailure } from '../../../src/network/smpp/status.js';

test('busy SMSC answers are temporary, refusals of the message permanent', () => {
  const kind = (s: number) => classifyFailure(s).kind;
  assert.equal(kind(0x58), 'temporary'); // ESME_RTHROTTLED
  assert.equal(kind(0x14), 'temporary'); // ESME_RMSGQFUL
  assert.equal(kind(0x08), 'temporary'); // ESME_RSYSERR
  assert.equal(kind(0x64), 'temporary'); // ESME_RX_T_APPN
  assert.equal(kind(0x0b), 'permanent'); // ESME_RINVDSTADR
  assert.equal(kind(0x45), 'permanent'); // ESME_RSUBMITFAIL
  assert.equal(kind(0x0401), 'permanent'); // vendor specific
});

test('codes are the ESME names; unknown ones in hex', () => {
  assert.deepEqual(classifyFailure(0x58), {
    ok: false,
    kind: 'temporary',
    code: 'ESME_RTHROTTLED',
    detail: 'SMSC refused submit_sm: ESME_RTHROTTLED (0x00000058)',
  });
  assert.equal(classifyFailure(0x0401).code, '0x00000401');
});

test('our own failures (timeouts, link down, closed) are temporary', () => {
  for (const code of ['LINK_DOWN', 'RESPONSE_TIMEOUT', 'CONNECTION_CLOSED', 'STOPPING'] as const) {
    const f = classifyFailure(new SmppError(code, 'x'));
    assert.equal(f.kind, 'temporary');
    assert.equal(f.code, code);
  }
  assert.equal(classifyFailure(new Error('boom')).kind, 'temporary');
});

test('a refusal of our addressing names the setting that fixes it', () => {
  assert.equal(classifyFailure(0x48).detail, 'SMSC refused submit_sm: ESME_RINVSRCTON (0x00000048): the SMSC wants another value of SWITCHBOARD_SMPP_SHORT_CODE_TON');
  assert.match(classifyFailure(0x49).detail, /SWITCHBOARD_SMPP_SHORT_CODE_NPI$/);
  assert.match(classifyFailure(0x50).detail, /SWITCHBOARD_SMPP_NUMBER_TON$/);
  assert.match(classifyFailure(0x51).detail, /SWITCHBOARD_SMPP_NUMBER_NPI$/);
  assert.equal(classifyFailure(0x48).kind, 'permanent');
});
