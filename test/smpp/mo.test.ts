import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, ESM_CLASS, STATUS, type deliverSmPdu } from '../../src/network/smpp/pdu.js';
import { encodeUcs2 } from '../../src/sms/encoding.js';
import { buildConcatUdh } from '../../src/sms/segment.js';
import { ADMIN_AUTH } from '../helpers/apps.js';
import { HappySmsc } from './fake-smsc.js';
import { SHORT_CODE, smppGateway, waitUntil, type SmppWorld } from './world.js';

/*
 * MO deliver_sm over real SMPP from a fake SMSC into a gateway in smpp mode; the app polls its
 * inbox over HTTP. A set of parts left incomplete goes to unrouted after 1 s, and is deleted 3 s later.
 */

let smsc: HappySmsc;
let world: SmppWorld;

before(async () => {
  smsc = await new HappySmsc().start();
  world = await smppGateway(smsc.port, { SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S: '1', SWITCHBOARD_UNROUTED_RETENTION_S: '3' });
});
after(async () => {
  await world.gw.close();
  await smsc.stop();
});

const LATIN1 = 3;
const IA5 = 1;
const UCS2 = 8;

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

async function unrouted(): Promise<string[]> {
  const res = await world.gw.request('GET', '/admin/v1/unrouted', { headers: ADMIN_AUTH });
  assert.equal(res.status, 200, res.text);
  return res.json().unrouted.map((u: { message: string }) => u.message);
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

test('NULs and lone surrogates in MO text: padding dropped, the rest shown as U+FFFD, every MO stored and answered ROK', async () => {
  const ucs2 = (units: number[]) => Buffer.from(units.flatMap((u) => [u >> 8, u & 0xff]));
  const cases: Array<[Buffer, number, string]> = [
    [Buffer.from('Padded like a C string\0', 'latin1'), LATIN1, 'Padded like a C string'],
    [Buffer.from('two\0\0\0', 'latin1'), IA5, 'two'],
    [Buffer.from('a\0b', 'latin1'), IA5, 'a\uFFFDb'],
    [Buffer.concat([encodeUcs2('wide'), ucs2([0x0000, 0x0041]), ucs2([0x0000])]), UCS2, 'wide\uFFFDA'],
    [Buffer.concat([encodeUcs2('half a pair '), ucs2([0xd83d, 0x0021])]), UCS2, 'half a pair \uFFFD!'],
    [Buffer.concat([encodeUcs2('ok '), ucs2([0xd83d, 0xde00])]), UCS2, 'ok \u{1F600}'],
  ];
  for (const [bytes, coding] of cases) assert.equal(await deliver(bytes, coding), STATUS.ROK, 'the SMSC would send a refused MO again for ever');
  assert.deepEqual(await poll(), cases.map(([, , text]) => text));
});

test('a long MO with a NUL in a part completes; an incomplete one is swept to unrouted and deleted after retention', async () => {
  assert.equal(await part(7, 2, 1, 'plain first half ', '+14255550178'), STATUS.ROK);
  assert.equal(await part(9, 2, 1, 'first half\0', '+14255550179'), STATUS.ROK);
  assert.equal(await part(9, 2, 2, ' second half', '+14255550179'), STATUS.ROK);
  assert.deepEqual(await poll(), ['first half\uFFFD second half']);
  // A set whose text has a NUL, left incomplete: moved to unrouted like any other.
  assert.equal(await part(11, 2, 1, 'never finished\0 ', '+14255550180'), STATUS.ROK);
  await waitUntil(async () => (await unrouted()).length === 2, 5000, 'both incomplete sets in unrouted');
  assert.deepEqual((await unrouted()).sort(), ['never finished\uFFFD ', 'plain first half '].sort());
  await waitUntil(async () => (await unrouted()).length === 0, 8000, 'unrouted deleted after its retention');
});
