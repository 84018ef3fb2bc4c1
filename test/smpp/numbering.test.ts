/**
 * TON/NPI of the addresses in submit_sm: international/ISDN for numbers and network-specific for
 * short codes by default; SMSCs that want others (and refuse ours with ESME_RINVSRCTON or the like,
 * for good) get what SWITCHBOARD_SMPP_*_TON/NPI say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HappySmsc } from './fake-smsc.js';
import { SHORT_CODE, smppGateway, waitUntil } from './world.js';

async function firstSubmit(env: Record<string, string>, to: string) {
  const smsc = await new HappySmsc().start();
  const world = await smppGateway(smsc.port, env);
  try {
    await world.sendSms(to, 'numbering');
    await waitUntil(() => smsc.submits.length === 1, 5000, 'the submit');
    const [submit] = smsc.submits;
    assert.ok(submit);
    return { source: submit.source, destination: submit.destination };
  } finally {
    await world.gw.close();
    await smsc.stop();
  }
}

test('short code 3/0 and number 1/1 by default; each settable', async () => {
  assert.deepEqual(await firstSubmit({}, '+14255550701'), {
    source: { ton: 3, npi: 0, addr: SHORT_CODE },
    destination: { ton: 1, npi: 1, addr: '14255550701' },
  });
  const env = { SWITCHBOARD_SMPP_SHORT_CODE_TON: '0', SWITCHBOARD_SMPP_SHORT_CODE_NPI: '1', SWITCHBOARD_SMPP_NUMBER_TON: '0', SWITCHBOARD_SMPP_NUMBER_NPI: '0' };
  assert.deepEqual(await firstSubmit(env, '+14255550702'), {
    source: { ton: 0, npi: 1, addr: SHORT_CODE },
    destination: { ton: 0, npi: 0, addr: '14255550702' },
  });
});
