import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp, type TestApp } from '../helpers/apps.js';
import { encodeUcs2 } from '../../src/sms/encoding.js';
import { startListener, type TestListener } from '../webhooks/listener.js';
import { partsOf } from './mo.js';

let gw: TestGateway;
let app: TestApp;
let l: TestListener;

before(async () => {
  gw = await startTestGateway({ SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S: '1' });
  l = await startListener();
  app = await createApp(gw, {
    shortCodes: [
      { shortCode: '22627500', moDelivery: 'poll' },
      { shortCode: '22627501', moDelivery: 'callback', listenerUrl: l.url },
    ],
  });
});
after(async () => {
  await gw.close();
  await l.close();
});

async function poll(code: string): Promise<string[]> {
  const res = await gw.request('GET', `/sms/v3/messaging/inbox/${code}`, { headers: app.auth });
  assert.equal(res.status, 200, res.text);
  return res.json().InboundSmsMessageList.InboundSmsMessage.map((m: any) => m.Message);
}

test('a long MO arriving in parts, out of order and with repeats, is reassembled into one message', async () => {
  const text = 'Long message from a handset. '.repeat(20);
  const parts = partsOf(text, '+14255550140', '22627500', 42);
  assert.ok(parts.length >= 4);
  const inbound = gw.gateway.ctx.inbound;
  const n = parts.length;
  // The last part first, then the first, the last again, then the rest backwards.
  const sequence = [parts[n - 1]!, parts[0]!, parts[n - 1]!, ...parts.slice(1, n - 1).reverse()];
  const states: string[] = [];
  for (const p of sequence) {
    if (states.length === sequence.length - 1) assert.deepEqual(await poll('22627500'), [], 'nothing before the set is whole');
    states.push(await inbound.acceptPart(p));
  }
  assert.deepEqual(states, ['waiting', 'waiting', 'duplicate', ...Array<string>(n - 3).fill('waiting'), 'complete']);
  assert.deepEqual(await poll('22627500'), [text]);
  for (const p of parts) assert.equal(await inbound.acceptPart(p), 'duplicate', 'late repeats of an assembled set change nothing');
  assert.deepEqual(await poll('22627500'), []);
});

test('a new long MO reusing the reference of the last one, with the same first part, is delivered too', async () => {
  // A fixed header fills part 1; the handset's 8-bit counter came round (or the SMSC restarted it).
  const header = 'WEATHER STATION 17 REPORT: '.padEnd(153, '.');
  const first = partsOf(`${header} temp 21C`, '+14255550146', '22627500', 200);
  const second = partsOf(`${header} temp 22C`, '+14255550146', '22627500', 200);
  assert.deepEqual(second[0]!.payload, first[0]!.payload);
  const inbound = gw.gateway.ctx.inbound;
  for (const p of [...first, ...second]) await inbound.acceptPart(p);
  // Both partsOf calls took the same millisecond, which orders the inbox.
  assert.deepEqual((await poll('22627500')).sort(), [`${header} temp 21C`, `${header} temp 22C`]);
  const res = await gw.request('GET', '/admin/v1/unrouted', { headers: ADMIN_AUTH });
  assert.deepEqual(res.json().unrouted.filter((u: any) => u.senderAddress === 'tel:+14255550146'), []);
});

test('parts stored at the same time complete their set exactly once', async () => {
  const text = 'All parts at once, as a busy SMSC pipelines them. '.repeat(9);
  const parts = partsOf(text, '+14255550145', '22627500', 11);
  const states = await Promise.all([...parts, parts[1]!, parts[0]!].map((p) => gw.gateway.ctx.inbound.acceptPart(p)));
  assert.equal(states.filter((s) => s === 'complete').length, 1, states.join(','));
  assert.equal(states.filter((s) => s === 'duplicate').length, 2, states.join(','));
  assert.deepEqual(await poll('22627500'), [text]);
});

test('the reassembled message goes where the short code says, once', async () => {
  const text = 'Ünïcödé ✓ message that needs UCS-2 and several parts. '.repeat(3);
  const parts = partsOf(text, '+14255550141', '22627501', 300);
  for (const p of [...parts].reverse()) await gw.gateway.ctx.inbound.acceptPart(p);
  const [r] = await l.waitFor(1);
  const body = JSON.parse(r!.body);
  assert.equal(body.Message, text);
  assert.equal(body.SenderAddress, 'tel:+14255550141');
  assert.equal(body.DestinationAddress, '22627501');
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(l.received.length, 1);
});

test('parts are persisted: a set completes across a restart', async () => {
  const text = 'Survives a restart in the middle of its parts. '.repeat(5);
  const parts = partsOf(text, '+14255550142', '22627500', 9);
  // The file's gateway gives a set 1 s: a restart under load took longer, and the set timed out.
  gw = await gw.restart({ SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S: '30' });
  await gw.gateway.ctx.inbound.acceptPart(parts[0]!);
  gw = await gw.restart({ SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S: '30' });
  for (const p of parts.slice(1)) await gw.gateway.ctx.inbound.acceptPart(p);
  assert.deepEqual(await poll('22627500'), [text]);
});

test('a set that never completes times out into the unrouted list, text so far kept', async () => {
  gw = await gw.restart({ SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S: '1' });
  const parts = partsOf('Lost in the network halfway. '.repeat(12), '+14255550143', '22627500', 77);
  await gw.gateway.ctx.inbound.acceptPart(parts[0]!);
  await gw.gateway.ctx.inbound.acceptPart(parts[2]!);
  let found: any;
  for (let i = 0; i < 40 && found === undefined; i += 1) {
    await new Promise((res) => setTimeout(res, 100));
    const res = await gw.request('GET', '/admin/v1/unrouted', { headers: ADMIN_AUTH });
    found = res.json().unrouted.find((u: any) => u.senderAddress === 'tel:+14255550143');
  }
  assert.ok(found, 'incomplete set listed');
  assert.equal(found.reason, 'incomplete');
  assert.equal(found.shortCode, '22627500');
  assert.ok(found.message.startsWith('Lost in the network halfway.'));
  assert.deepEqual(await poll('22627500'), []);
});

test('a part that cannot be reassembled is refused', async () => {
  const bad = { from: '+14255550144', to: '22627500', reference: 1, total: 2, seq: 3, payload: encodeUcs2('x'), dataCoding: 8, receivedAt: Date.now() };
  await assert.rejects(gw.gateway.ctx.inbound.acceptPart(bad), RangeError);
});
