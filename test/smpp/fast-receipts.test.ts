/**
 * An SMSC that writes each delivery receipt right behind its submit_sm_resp (a fast handset, or
 * the bench's SMSC sink), to a gateway whose store is slower than that (a busy disk, a database
 * a round trip away: here each part's write is put off by 30 ms): every receipt comes while its
 * part is still being written. It must wait for that write in memory, not be held in the store
 * and matched late. Runs on both stores (startTestGateway via smppGateway).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { receiptWorld, type ReceiptWorld } from './receipt-world.js';
import { waitUntil } from './world.js';

let rw: ReceiptWorld;

before(async () => {
  rw = await receiptWorld(async (own, ...args) => {
    await new Promise((r) => setTimeout(r, 30));
    return own(...args);
  });
});
after(() => rw.close());

test('receipts right behind their submit_sm_resp are matched at once: none held, each recipient notified once', async () => {
  const count = 40;
  const sent = await Promise.all(Array.from({ length: count }, (_, i) => rw.world.sendSms(`+1425556${String(i).padStart(4, '0')}`, `fast receipt ${i}`, true)));
  assert.equal(sent.length, count);
  await waitUntil(() => rw.sink.bodies.length >= count, 20_000, 'every notification');
  const statuses = rw.sink.bodies.map((b) => (b as { deliveryInfoNotification: { deliveryInfo: { deliveryStatus: string } } }).deliveryInfoNotification.deliveryInfo.deliveryStatus);
  assert.deepEqual(new Set(statuses), new Set(['DeliveredToTerminal']));
  assert.equal(rw.smsc.receiptResponses.length, count);
  const report = await rw.world.report();
  assert.equal(report.receipts.matched, count);
  assert.equal(report.receipts.matchedLate, 0, 'no receipt went through the store to be matched late');
  assert.equal(report.receipts.held, 0);
  assert.equal(report.receipts.unmatched, 0);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(rw.sink.bodies.length, count, 'one notification per recipient');
});
