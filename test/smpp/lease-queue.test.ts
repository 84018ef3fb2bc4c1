/**
 * A submit waiting in the link's queue (behind SWITCHBOARD_SMPP_TPS, or an SMSC answering
 * ESME_RTHROTTLED) must not outlive its job's lease: once the lease ends the job is claimed again,
 * and the second attempt, finding no part recorded, would submit it while the first copy still
 * waits, and the handset gets it twice. Each recipient's submit_sm is accepted exactly once and
 * every message still ends delivered. Runs on both stores (smppGateway).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiptSendingSmsc, ThrottleThenReceiptSmsc } from './fake-smsc.js';
import { smppGateway, type SmppWorld, waitUntil } from './world.js';

const COUNT = 10;
const recipients = Array.from({ length: COUNT }, (_, i) => `+1425557${String(i).padStart(4, '0')}`);

/**
 * Watches the dispatch attempts: how many are under way, so a test can wait until none is (a
 * second copy would still be queued when the first is delivered), and why those retried did.
 */
function watchAttempts(world: SmppWorld): { underWay(): number; retried: string[] } {
  const runner = world.gw.gateway.ctx.outbound.runner;
  let open = 0;
  const retried: string[] = [];
  runner.on('job:claimed', () => open++);
  runner.on('job:retry', (_job, error) => retried.push(error));
  for (const ended of ['job:completed', 'job:retry', 'job:exhausted', 'job:lost'] as const) runner.on(ended, () => open--);
  return { underWay: () => open, retried };
}

/** submit_sm the SMSC accepted per recipient, in `recipients` order. */
function acceptedPerRecipient(smsc: ReceiptSendingSmsc): number[] {
  const counts = new Map<string, number>();
  for (const s of smsc.submits) counts.set(`+${s.destination.addr}`, (counts.get(`+${s.destination.addr}`) ?? 0) + 1);
  return recipients.map((to) => counts.get(to) ?? 0);
}

/**
 * Sends one message to each recipient and waits until all are delivered and no attempt is under
 * way (a duplicate may still be queued when the last status goes final); then each recipient's
 * submit_sm must have been accepted exactly once.
 */
async function sendEachAcceptedOnce(world: SmppWorld, smsc: ReceiptSendingSmsc, label: string) {
  const attempts = watchAttempts(world);
  const ids = await Promise.all(recipients.map((to, i) => world.sendSms(to, `${label} ${i}`)));
  assert.deepEqual(await world.finalStatuses(ids, 20_000), ids.map(() => 'DeliveredToTerminal'));
  await waitUntil(() => attempts.underWay() === 0, 10_000, 'no attempt under way');
  assert.deepEqual(acceptedPerRecipient(smsc), recipients.map(() => 1));
  return attempts;
}

test('a queue behind the throughput cap longer than the lease: each submit_sm accepted once, all delivered', async (t) => {
  const smsc = await new ReceiptSendingSmsc('after').start();
  t.after(() => smsc.stop());
  // 10 messages at 2 parts/s take 5 s to go out, against a 2 s lease; each claim leaves a submit
  // 0.5 s to be written (the lease less the 0.5 s response timeout and the 1 s margin).
  const world = await smppGateway(smsc.port, {
    SWITCHBOARD_JOB_LEASE_MS: '2000',
    SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS: '500',
    SWITCHBOARD_SMPP_TPS: '2',
    SWITCHBOARD_DISPATCH_CONCURRENCY: '10',
  });
  t.after(() => world.gw.close());
  const attempts = await sendEachAcceptedOnce(world, smsc, 'capped');
  assert.ok(attempts.retried.some((e) => e.startsWith('LINK_BUSY')), 'submits still queued near the lease end were handed back');
});

test('an SMSC throttling everything for longer than the lease: each submit_sm accepted once, all delivered', async (t) => {
  const smsc = await new ThrottleThenReceiptSmsc('after').start();
  t.after(() => smsc.stop());
  // The lease is longer than one PDU's throttling give-up plus its response timeout (1.5 s,
  // FAST_SMPP); the queue behind a window of 2 is not.
  const world = await smppGateway(smsc.port, {
    SWITCHBOARD_JOB_LEASE_MS: '3000',
    SWITCHBOARD_SMPP_THROTTLE_GIVE_UP_MS: '1000',
    SWITCHBOARD_SMPP_WINDOW: '2',
    SWITCHBOARD_DISPATCH_CONCURRENCY: '10',
  });
  t.after(() => world.gw.close());
  smsc.throttleUntil = Date.now() + 4000;
  await sendEachAcceptedOnce(world, smsc, 'throttled');
  assert.ok(smsc.throttledCount > 0, 'the SMSC did throttle');
});

test('a long message whose later parts wait past the lease: each part accepted once, under one reference, delivered', async (t) => {
  const smsc = await new ReceiptSendingSmsc('after').start();
  t.after(() => smsc.stop());
  // One part a second and 0.3 s to write each claim's parts (1.5 s lease less the 0.2 s response
  // timeout and the 1 s margin): part 1 goes at once, the others come back unsent, and each later
  // attempt sends only the parts not yet accepted.
  const world = await smppGateway(smsc.port, {
    SWITCHBOARD_JOB_LEASE_MS: '1500',
    SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS: '200',
    SWITCHBOARD_SMPP_TPS: '1',
  });
  t.after(() => world.gw.close());
  const attempts = watchAttempts(world);
  const to = '+14255579999';
  const id = await world.sendSms(to, 'long '.repeat(64)); // 320 GSM 7-bit characters: 3 parts
  assert.equal(await world.finalStatus(id, 20_000), 'DeliveredToTerminal');
  await waitUntil(() => attempts.underWay() === 0, 10_000, 'no attempt under way');
  const parts = smsc.submits.filter((s) => `+${s.destination.addr}` === to);
  // UDH 05 00 03 ref total seq.
  assert.deepEqual(parts.map((p) => p.shortMessage[5]).sort(), [1, 2, 3], 'each part accepted once');
  assert.equal(new Set(parts.map((p) => p.shortMessage[3])).size, 1, 'one concatenation reference');
  assert.ok(attempts.retried.some((e) => e.startsWith('LINK_BUSY')), 'parts still queued near the lease end were handed back');
});
