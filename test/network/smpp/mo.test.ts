import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMo, senderE164 } from '../../../src/network/smpp/mo.js';
import type { DeliverSm } from '../../../src/network/smpp/pdu.js';
import { encodeGsm7, encodeUcs2 } from '../../../src/sms/encoding.js';
import { buildConcatUdh } from '../../../src/sms/segment.js';

function deliver(over: Partial<DeliverSm>): DeliverSm {
  return {
    command: 'deliver_sm',
    source: { ton: 1, npi: 1, addr: '14255550100' },
    destination: { ton: 3, npi: 0, addr: '22627000' },
    esmClass: 0,
    dataCoding: 0,
    shortMessage: Buffer.alloc(0),
    messagePayload: undefined,
    receiptedMessageId: undefined,
    messageState: undefined,
    networkErrorCode: undefined,
    sar: undefined,
    ...over,
  };
}

test('a whole GSM message, decoded from the raw septets (not the codec)', () => {
  const mo = readMo(deliver({ shortMessage: encodeGsm7('Hi {there} €5 @home') }), 1000);
  assert.deepEqual(mo, { kind: 'whole', message: { from: '+14255550100', to: '22627000', text: 'Hi {there} €5 @home', receivedAt: 1000 } });
});

test('an SMSC whose default alphabet is ASCII or Latin-1: data_coding 0 read in it; parts go to reassembly as IA5 or Latin-1', () => {
  const bytes = Buffer.from('@_{}[~]|\\^ $1', 'latin1');
  for (const alphabet of ['ascii', 'latin1'] as const) {
    const mo = readMo(deliver({ shortMessage: bytes }), 1, alphabet);
    assert.equal(mo.kind === 'whole' && mo.message.text, '@_{}[~]|\\^ $1', alphabet);
  }
  const latin = readMo(deliver({ shortMessage: Buffer.from('Größe: 5 £', 'latin1') }), 1, 'latin1');
  assert.equal(latin.kind === 'whole' && latin.message.text, 'Größe: 5 £');
  const gsm = readMo(deliver({ shortMessage: bytes }), 1, 'gsm');
  assert.equal(gsm.kind === 'whole' && gsm.message.text, '¡§äñÄüÑöÖÜ ¤1', 'GSM 03.38 reads the same bytes otherwise');
  const part = readMo(deliver({ esmClass: 0x40, shortMessage: Buffer.concat([buildConcatUdh(7, 2, 1), bytes]) }), 1, 'ascii');
  assert.equal(part.kind === 'part' && part.part.dataCoding, 1);
  const sar = readMo(deliver({ shortMessage: bytes, sar: { ref: 7, total: 2, seq: 2 } }), 1, 'latin1');
  assert.equal(sar.kind === 'part' && sar.part.dataCoding, 3);
  const ucs2 = readMo(deliver({ dataCoding: 8, shortMessage: encodeUcs2('@') }), 1, 'ascii');
  assert.equal(ucs2.kind === 'whole' && ucs2.message.text, '@', 'other codings are what they say');
});

test('UCS-2 in message_payload wins over an empty short_message', () => {
  const mo = readMo(deliver({ dataCoding: 8, messagePayload: encodeUcs2('Привет 👋') }), 1);
  assert.equal(mo.kind === 'whole' && mo.message.text, 'Привет 👋');
});

test('a UDH part goes to reassembly as raw octets with its place in the set', () => {
  const body = encodeUcs2('part two');
  const mo = readMo(deliver({ esmClass: 0x40, dataCoding: 8, shortMessage: Buffer.concat([buildConcatUdh(0x2a, 3, 2), body]) }), 5);
  assert.equal(mo.kind, 'part');
  if (mo.kind !== 'part') return;
  assert.deepEqual({ ...mo.part, payload: Buffer.from(mo.part.payload) }, {
    from: '+14255550100', to: '22627000', reference: 0x2a, total: 3, seq: 2, payload: body, dataCoding: 8, receivedAt: 5,
  });
});

test('sar_* TLVs instead of a UDH', () => {
  const mo = readMo(deliver({ shortMessage: encodeGsm7('second'), sar: { ref: 700, total: 2, seq: 2 } }), 5);
  assert.equal(mo.kind === 'part' && `${mo.part.reference}/${mo.part.total}/${mo.part.seq}`, '700/2/2');
});

test('UDHI with a header that is not concatenation: the text after the header', () => {
  const udh = Buffer.from([0x04, 0x24, 0x01, 0x00, 0x00]); // some other IE
  const mo = readMo(deliver({ esmClass: 0x40, shortMessage: Buffer.concat([udh, encodeGsm7('plain')]) }), 1);
  assert.equal(mo.kind === 'whole' && mo.message.text, 'plain');
});

test('binary data_coding and broken headers are unreadable, not guessed', () => {
  assert.equal(readMo(deliver({ dataCoding: 0x04, shortMessage: Buffer.from([1, 2, 3]) }), 1).kind, 'unreadable');
  assert.equal(readMo(deliver({ esmClass: 0x40, shortMessage: Buffer.from([0x09, 0x00]) }), 1).kind, 'unreadable');
});

test('sender forms: international TON, national digits, already with +, alphanumeric', () => {
  assert.equal(senderE164({ ton: 1, npi: 1, addr: '14255550100' }), '+14255550100');
  assert.equal(senderE164({ ton: 0, npi: 1, addr: '4255550100' }), '+14255550100');
  assert.equal(senderE164({ ton: 0, npi: 1, addr: '5555555555' }), '+15555555555', 'any NANP number, area code 555 too');
  assert.equal(senderE164({ ton: 2, npi: 1, addr: '+14255550100' }), '+14255550100');
  assert.equal(senderE164({ ton: 5, npi: 0, addr: 'ACME' }), 'ACME');
});
