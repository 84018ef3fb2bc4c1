/**
 * TON/NPI of the addresses in submit_sm: international/ISDN for numbers and network-specific for
 * short codes by default; SMSCs that want others (and refuse ours with ESME_RINVSRCTON or the like,
 * for good) get what SWITCHBOARD_SMPP_*_TON/NPI say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Pdu, readSubmitSm, STATUS } from '../../src/network/smpp/pdu.js';
import type { SmppSession } from '../../src/network/smpp/session.js';
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

/** Refuses every submit whose short code is not written as TON 0 (as some carriers do). */
class WantsTonZero extends HappySmsc {
  protected override onSubmit(session: SmppSession, pdu: Pdu): void {
    if (readSubmitSm(pdu).source.ton !== 0) return session.respond(pdu, STATUS.RINVSRCTON);
    super.onSubmit(session, pdu);
  }
}

test('an SMSC that refuses our short code TON: DeliveryImpossible, and the link names the refusal; with the setting it goes', async (t) => {
  const smsc = await new WantsTonZero().start();
  t.after(() => smsc.stop());
  const refused = await smppGateway(smsc.port);
  t.after(() => refused.gw.close());
  const id = await refused.sendSms('+14255550703', 'refused for its TON');
  assert.equal(await refused.finalStatus(id), 'DeliveryImpossible');
  const [link] = (await refused.report()).links;
  assert.equal(link?.lastRefusal, 'ESME_RINVSRCTON');
  assert.equal(link?.refused, 1);
  await refused.gw.close();

  const set = await smppGateway(smsc.port, { SWITCHBOARD_SMPP_SHORT_CODE_TON: '0' });
  t.after(() => set.gw.close());
  await set.sendSms('+14255550704', 'accepted');
  await waitUntil(() => smsc.submits.some((s) => s.source.ton === 0), 5000, 'the submit taken');
});
