/**
 * A 3-part message over real SMPP to an SMSC that reports each part on its own: whatever order the
 * part receipts come in, whether one part fails, whether a receipt beats its submit_sm_resp or
 * only the last part reports, the recipient ends in the right status with exactly one final
 * notification. Runs on both stores: the gateway comes from startTestGateway (via smppGateway).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS } from '../../src/network/smpp/pdu.js';
import { ControlledReceiptSmsc } from './fake-smsc.js';
import { notificationSink, type NotificationSink, smppGateway, type SmppWorld, waitUntil } from './world.js';

let smsc: ControlledReceiptSmsc;
let sink: NotificationSink;
let world: SmppWorld;
let next = 200;
const number = () => `+1425555${String(next++).padStart(4, '0')}`;
const THREE_PARTS = 'Part of a long message. '.repeat(18); // 432 GSM characters: 3 parts of 153

before(async () => {
  smsc = await new ControlledReceiptSmsc().start();
  sink = await notificationSink();
  world = await smppGateway(smsc.port, {}, sink.url);
});
after(async () => {
  await world.gw.close();
  await smsc.stop();
  await sink.close();
});

async function sendThreeParts(to: string) {
  await world.sendSms(to, THREE_PARTS, true);
  await waitUntil(() => smsc.partsTo(to).length === 3, 5000, 'three parts at the SMSC');
  const parts = smsc.partsTo(to);
  assert.deepEqual(parts.map((p) => p.seq), [1, 2, 3]);
  return { parts };
}

/** With notifyDeliveryStatus the status is pushed, not polled (AT&T): the notifications tell it. */
async function settle(to: string, expected: string): Promise<void> {
  // Generous: on a loaded machine (both store passes at once) the webhook leg alone can take seconds.
  await waitUntil(() => sink.statusesFor(to).length >= 1, 20_000, 'the notification');
  await new Promise((r) => setTimeout(r, 300)); // room for a second one, which must not come
  assert.deepEqual(sink.statusesFor(to), [expected]);
}

test('each part asks for a receipt and carries the concatenation UDH', async () => {
  const to = number();
  const { parts } = await sendThreeParts(to);
  for (const p of parts) {
    assert.equal(p.submit.registeredDelivery & 0x03, 0x01);
    assert.equal(p.submit.esmClass & 0x40, 0x40);
    assert.deepEqual([...p.submit.shortMessage.subarray(0, 3)], [0x05, 0x00, 0x03]);
    assert.equal(p.submit.shortMessage[4], 3);
  }
  for (const p of parts) await smsc.receipt(p.id, 'DELIVRD');
  await settle(to, 'DeliveredToTerminal');
});

test('receipts in the order 3, 1, 2: delivered once the last one is in', async () => {
  const to = number();
  const { parts } = await sendThreeParts(to);
  const [p1, p2, p3] = parts;
  assert.ok(p1 && p2 && p3);
  await smsc.receipt(p3.id, 'DELIVRD');
  await smsc.receipt(p1.id, 'DELIVRD');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(sink.statusesFor(to), [], 'two of three parts is not delivered');
  await smsc.receipt(p2.id, 'DELIVRD');
  await settle(to, 'DeliveredToTerminal');
});

test('one part fails: impossible at once, later receipts change nothing', async () => {
  const to = number();
  const { parts } = await sendThreeParts(to);
  const [p1, p2, p3] = parts;
  assert.ok(p1 && p2 && p3);
  await smsc.receipt(p2.id, 'UNDELIV');
  await waitUntil(() => sink.statusesFor(to).length === 1, 5000, 'impossible before the other parts report');
  await smsc.receipt(p1.id, 'DELIVRD');
  await smsc.receipt(p3.id, 'DELIVRD');
  await settle(to, 'DeliveryImpossible');
});

test('repeated and intermediate receipts count once', async () => {
  const to = number();
  const { parts } = await sendThreeParts(to);
  const [p1, p2, p3] = parts;
  assert.ok(p1 && p2 && p3);
  await smsc.receipt(p1.id, 'ENROUTE');
  await smsc.receipt(p1.id, 'DELIVRD');
  await smsc.receipt(p1.id, 'DELIVRD');
  await smsc.receipt(p3.id, 'ACCEPTD');
  await smsc.receipt(p3.id, 'DELIVRD');
  await smsc.receipt(p2.id, 'DELIVRD');
  await smsc.receipt(p2.id, 'DELIVRD');
  await settle(to, 'DeliveredToTerminal');
});

test('a single-part message: its final receipt settles it; repeats and a late failure change nothing', async () => {
  const to = number();
  await world.sendSms(to, 'One part only', true);
  await waitUntil(() => smsc.partsTo(to).length === 1, 5000, 'one part at the SMSC');
  const [only] = smsc.partsTo(to);
  assert.ok(only);
  const before = await world.report();
  await smsc.receipt(only.id, 'ENROUTE');
  await smsc.receipt(only.id, 'DELIVRD');
  await smsc.receipt(only.id, 'DELIVRD');
  await smsc.receipt(only.id, 'UNDELIV');
  await settle(to, 'DeliveredToTerminal');
  const after = await world.report();
  assert.equal(after.receipts.finals - before.receipts.finals, 1, 'one final state handed to the core');
});

test('receipts that arrive before their submit_sm_resp are held, then matched', async () => {
  const to = number();
  smsc.holdResponses = true;
  await world.sendSms(to, THREE_PARTS, true);
  await waitUntil(() => smsc.partsTo(to).length === 3, 5000, 'three parts at the SMSC');
  for (const p of smsc.partsTo(to).reverse()) assert.equal(await smsc.receipt(p.id, 'DELIVRD'), STATUS.ROK, 'acknowledged while held');
  const held = await world.report();
  assert.ok(held.receipts.held >= 3, `held ${held.receipts.held}`);
  smsc.holdResponses = false;
  smsc.releaseResponses();
  await settle(to, 'DeliveredToTerminal');
  const report = await world.report();
  assert.equal(report.receipts.held, 0);
  assert.equal(report.receipts.unmatched, 0);
  assert.ok(report.receipts.matchedLate >= 3);
});

test('a carrier that reports only the last part: settled as delivered after the grace period', async () => {
  const to = number();
  const { parts } = await sendThreeParts(to);
  const last = parts[2];
  assert.ok(last);
  await smsc.receipt(last.id, 'DELIVRD');
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(sink.statusesFor(to), [], 'not before the grace period');
  await settle(to, 'DeliveredToTerminal');
  assert.ok((await world.report()).receipts.settledByGrace >= 1);
});
