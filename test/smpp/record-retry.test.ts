/**
 * The store goes out (PostgreSQL's connections cut) just after the SMSC accepted a submit, before
 * its part is stored. The part must be stored once the store is back, not the submit failed: its
 * retry sent the message a second time (an operator trial saw two handsets get theirs twice).
 * Here each part's first write fails as an unavailable store's does. Runs on both stores
 * (startTestGateway via smppGateway).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SmppRepo } from '../../src/store/repos/smpp.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { ReceiptSendingSmsc } from './fake-smsc.js';
import { notificationSink, smppGateway, type SmppWorld, waitUntil } from './world.js';

let smsc: ReceiptSendingSmsc;
let sink: Awaited<ReturnType<typeof notificationSink>>;
let world: SmppWorld;
let restore: () => void;
const failed = new Set<string>();

before(async () => {
  smsc = await new ReceiptSendingSmsc('after').start();
  sink = await notificationSink();
  world = await smppGateway(smsc.port, {}, sink.url);
  // On the class: the store's metrics proxy keeps the method it first saw (none has been called yet).
  const repo = Object.getPrototypeOf(world.gw.gateway.ctx.store.smpp) as SmppRepo;
  const record: SmppRepo['recordPart'] = Reflect.get(repo, 'recordPart');
  repo.recordPart = async function (this: SmppRepo, ...args) {
    const key = `${args[0].recipientId}:${args[0].part}`;
    if (!failed.has(key)) {
      failed.add(key);
      throw new StoreUnavailableError('database connection lost: Connection terminated unexpectedly');
    }
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

test('a part the SMSC accepted whose record fails while the store is out is stored again, not sent again: one submit, one notification each', async () => {
  const count = 6;
  await Promise.all(Array.from({ length: count }, (_, i) => world.sendSms(`+1425557${String(i).padStart(4, '0')}`, `stored late ${i}`, true)));
  await waitUntil(() => sink.bodies.length >= count, 20_000, 'every notification');
  assert.equal(failed.size, count, 'each part\'s first record failed');
  assert.equal(smsc.submits.length, count, 'each message went to the SMSC once');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smsc.submits.length, count, 'and no retry sent one again');
  assert.equal(sink.bodies.length, count, 'one notification per recipient');
  const report = await world.report();
  assert.equal(report.receipts.unmatched, 0);
});
