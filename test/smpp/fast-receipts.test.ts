/**
 * An SMSC that writes each delivery receipt right behind its submit_sm_resp (a fast handset, or
 * the bench's SMSC sink), to a gateway whose store is slower than that (a busy disk, a database
 * a round trip away: here each part's write is put off by 30 ms): every receipt comes while its
 * part is still being written. It must wait for that write in memory, not be held in the store
 * and matched late. Runs on both stores (startTestGateway via smppGateway).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SmppRepo } from '../../src/store/repos/smpp.js';
import { ReceiptSendingSmsc } from './fake-smsc.js';
import { notificationSink, smppGateway, type SmppWorld, waitUntil } from './world.js';

let smsc: ReceiptSendingSmsc;
let sink: Awaited<ReturnType<typeof notificationSink>>;
let world: SmppWorld;
let restore: () => void;

before(async () => {
  smsc = await new ReceiptSendingSmsc('after').start();
  sink = await notificationSink();
  world = await smppGateway(smsc.port, {}, sink.url);
  // On the class: the store's metrics proxy keeps the method it first saw (none has been called yet).
  const repo = Object.getPrototypeOf(world.gw.gateway.ctx.store.smpp) as SmppRepo;
  const record: SmppRepo['recordPart'] = Reflect.get(repo, 'recordPart');
  repo.recordPart = async function (this: SmppRepo, ...args) {
    await new Promise((r) => setTimeout(r, 30));
    return record.apply(this, args);
  };
  restore = () => {
    repo.recordPart = record;
  };
});
after(async () => {
  restore();
  await world.gw.close();
  await smsc.stop();
  await sink.close();
});

test('receipts right behind their submit_sm_resp are matched at once: none held, each recipient notified once', async () => {
  const count = 40;
  const sent = await Promise.all(Array.from({ length: count }, (_, i) => world.sendSms(`+1425556${String(i).padStart(4, '0')}`, `fast receipt ${i}`, true)));
  assert.equal(sent.length, count);
  await waitUntil(() => sink.bodies.length >= count, 20_000, 'every notification');
  const statuses = sink.bodies.map((b) => (b as { deliveryInfoNotification: { deliveryInfo: { deliveryStatus: string } } }).deliveryInfoNotification.deliveryInfo.deliveryStatus);
  assert.deepEqual(new Set(statuses), new Set(['DeliveredToTerminal']));
  assert.equal(smsc.receiptResponses.length, count);
  const report = await world.report();
  assert.equal(report.receipts.matched, count);
  assert.equal(report.receipts.matchedLate, 0, 'no receipt went through the store to be matched late');
  assert.equal(report.receipts.held, 0);
  assert.equal(report.receipts.unmatched, 0);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(sink.bodies.length, count, 'one notification per recipient');
});
