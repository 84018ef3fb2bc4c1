/**
 * The store goes out (PostgreSQL's connections cut) just after the SMSC accepted a submit, before
 * its part is stored. The part must be stored once the store is back, not the submit failed: its
 * retry sent the message a second time (an operator trial saw two handsets get theirs twice).
 * Here each part's first write fails as an unavailable store's does. Runs on both stores
 * (startTestGateway via smppGateway).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../../src/store/store.js';
import { receiptWorld, type ReceiptWorld } from './receipt-world.js';
import { waitUntil } from './world.js';

let rw: ReceiptWorld;
const failed = new Set<string>();

before(async () => {
  rw = await receiptWorld(async (own, record, opening) => {
    const key = `${record.recipientId}:${record.part}`;
    if (!failed.has(key)) {
      failed.add(key);
      throw new StoreUnavailableError('database connection lost: Connection terminated unexpectedly');
    }
    return own(record, opening);
  });
});
after(() => rw.close());

test('a part the SMSC accepted whose record fails while the store is out is stored again, not sent again: one submit, one notification each', async () => {
  const count = 6;
  await Promise.all(Array.from({ length: count }, (_, i) => rw.world.sendSms(`+1425557${String(i).padStart(4, '0')}`, `stored late ${i}`, true)));
  await waitUntil(() => rw.sink.bodies.length >= count, 20_000, 'every notification');
  assert.equal(failed.size, count, 'each part\'s first record failed');
  assert.equal(rw.smsc.submits.length, count, 'each message went to the SMSC once');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(rw.smsc.submits.length, count, 'and no retry sent one again');
  assert.equal(rw.sink.bodies.length, count, 'one notification per recipient');
  const report = await rw.world.report();
  assert.equal(report.receipts.unmatched, 0);
});
