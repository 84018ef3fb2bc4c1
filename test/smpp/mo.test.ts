import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, ESM_CLASS, STATUS, type deliverSmPdu } from '../../src/network/smpp/pdu.js';
import { buildConcatUdh } from '../../src/sms/segment.js';
import { HappySmsc } from './fake-smsc.js';
import { SHORT_CODE, smppGateway, type SmppWorld } from './world.js';

/*
 * MO deliver_sm over real SMPP from a fake SMSC into a gateway in smpp mode; the app polls its
 * inbox over HTTP.
 */

let smsc: HappySmsc;
let world: SmppWorld;

before(async () => {
  smsc = await new HappySmsc().start();
  world = await smppGateway(smsc.port);
});
after(async () => {
  await world.gw.close();
  await smsc.stop();
});

const LATIN1 = 3;

/** One deliver_sm from `from`; resolves with its command_status. */
async function deliver(shortMessage: Buffer, dataCoding: number, esmClass = 0, from = '+14255550177'): Promise<number> {
  const fields: Parameters<typeof deliverSmPdu>[0] = { source: addressOf(from), destination: addressOf(SHORT_CODE), esmClass, dataCoding, shortMessage };
  const answers = await smsc.deliver(fields);
  assert.equal(answers.length, 1);
  return answers[0]!.command_status;
}

/** One part of a long Latin-1 MO, with its concatenation UDH. */
function part(ref: number, total: number, seq: number, body: string, from?: string): Promise<number> {
  return deliver(Buffer.concat([buildConcatUdh(ref, total, seq), Buffer.from(body, 'latin1')]), LATIN1, ESM_CLASS.UDHI, from);
}

async function poll(): Promise<string[]> {
  const res = await world.gw.request('GET', `/sms/v3/messaging/inbox/${SHORT_CODE}`, { headers: world.app.auth });
  assert.equal(res.status, 200, res.text);
  return res.json().InboundSmsMessageList.InboundSmsMessage.map((m: { Message: string }) => m.Message);
}

test('an MO (esm_class 0) whose text mentions "id:" and "stat:" is a message, not a receipt', async () => {
  const text = 'Order id: 5512 stat: where is it?';
  assert.equal(await deliver(Buffer.from(text, 'latin1'), LATIN1), STATUS.ROK);
  assert.deepEqual(await poll(), [text]);
  const report = await world.report();
  assert.deepEqual({ received: report.receipts.received, mo: report.mo }, { received: 0, mo: 1 }, 'counted as an MO, not a receipt');
});

test('a long MO whose first part reads like a receipt completes', async () => {
  assert.equal(await part(31, 2, 1, 'id: 5512 stat: where is my order? '), STATUS.ROK);
  assert.equal(await part(31, 2, 2, 'It was due on Monday.'), STATUS.ROK);
  assert.deepEqual(await poll(), ['id: 5512 stat: where is my order? It was due on Monday.']);
});
