import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../src/store/repos/jobs.js';
import { ListenerLimitedJobs, ListenerSlots } from '../../src/webhooks/slots.js';
import { withSqliteStore } from '../helpers/sqlite.js';
import { createApp, notification } from '../store/store.contract.js';

const T0 = Date.UTC(2026, 0, 1);
const LEASE = 60_000;
/** Workers enough for every slot; an attempt takes at most half a lease. */
const RUNNER = { workers: 10, attemptMs: LEASE / 2 };

test('once a claim found nothing past a busy listener, claims look only at the head for 200 ms', async () => {
  await withSqliteStore(async (store) => {
    await createApp(store, 'app1');
    for (let i = 0; i < 6; i += 1) await store.notifications.create({ ...notification(`busy${i}`, 'listener:busy'), createdAt: T0 + i });
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, new ListenerSlots(1), () => undefined, RUNNER);
    const claim = async (now: number) => (await jobs.claim({ kinds: ['webhook'], workerId: 'w1', limit: 1, leaseMs: LEASE, now })).map((j) => j.ref);
    assert.deepEqual(await claim(T0 + 10), ['busy0'], 'the busy listener’s only slot');
    assert.deepEqual(await claim(T0 + 20), [], 'a look past it finds nothing else');
    await store.notifications.create({ ...notification('other', 'listener:other'), createdAt: T0 + 30 });
    assert.deepEqual(await claim(T0 + 100), [], 'within 200 ms only the head is read');
    assert.deepEqual(await claim(T0 + 220), ['other'], 'then the next claim looks past the backlog again');
  });
});

test('a claim keeps a slot’s worth of a listener’s jobs ahead, hands one out when a POST ends without waiting for the table, and tops up behind it', async () => {
  await withSqliteStore(async (store) => {
    await createApp(store, 'app1');
    for (let i = 0; i < 6; i += 1) await store.notifications.create({ ...notification(`a${i}`, 'listener:a'), createdAt: T0 + i });
    const slots = new ListenerSlots(2);
    let more = 0;
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, slots, () => (more += 1), RUNNER);
    const claim = async () => (await jobs.claim({ kinds: ['webhook'], workerId: 'w1', limit: 10, leaseMs: LEASE, now: T0 + 10 })).map((j) => j.ref);
    assert.deepEqual(await claim(), ['a0', 'a1'], 'two slots');
    assert.equal(slots.free('listener:a'), 0);
    const other = new ListenerLimitedJobs(store.jobs, store.notifications, new ListenerSlots(10), () => undefined, RUNNER);
    const othersClaim = async () => (await other.claim({ kinds: ['webhook'], workerId: 'w2', limit: 10, leaseMs: LEASE, now: T0 + 10 })).map((j) => j.ref);
    assert.deepEqual(await othersClaim(), ['a4', 'a5'], 'a2 and a3 are held ahead, under lease');

    await store.notifications.create({ ...notification('a6', 'listener:a'), createdAt: T0 + 6 });
    slots.release('listener:a');
    assert.deepEqual(await claim(), ['a2'], 'handed out from what was kept');
    assert.equal(more, 0, 'the top-up runs behind it');
    while (more === 0) await new Promise((resolve) => setImmediate(resolve));
    slots.release('listener:a');
    assert.deepEqual(await claim(), ['a3']);
    slots.release('listener:a');
    assert.deepEqual(await claim(), ['a6'], 'the top-up brought the new one');
  });
});

test('jobs kept ahead are given back when the runner stops, due at once for anyone', async () => {
  await withSqliteStore(async (store) => {
    await createApp(store, 'app1');
    for (let i = 0; i < 4; i += 1) await store.notifications.create({ ...notification(`a${i}`, 'listener:a'), createdAt: T0 + i });
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, new ListenerSlots(2), () => undefined, RUNNER);
    assert.deepEqual((await jobs.claim({ kinds: ['webhook'], workerId: 'w1', limit: 10, leaseMs: LEASE, now: T0 + 10 })).map((j) => j.ref), ['a0', 'a1']);
    await jobs.giveBack('w1', T0 + 20);
    const next = await store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w2', limit: 10, leaseMs: LEASE, now: T0 + 20, freeSlots: () => 10 });
    assert.deepEqual(next.map((j) => j.ref).sort(), ['a2', 'a3']);
  });
});

test('a job kept ahead until too little of its lease is left for an attempt is renewed before it is handed out; one another worker took meanwhile is dropped', async () => {
  await withSqliteStore(async (store) => {
    await createApp(store, 'app1');
    const add = async (from: number) => {
      for (const i of [from, from + 1]) await store.notifications.create({ ...notification(`a${i}`, 'listener:a'), createdAt: T0 + i });
    };
    const slots = new ListenerSlots(1);
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, slots, () => undefined, RUNNER);
    const handed: Job[] = [];
    const claim = async (now: number) => {
      handed.push(...(await jobs.claim({ kinds: ['webhook'], workerId: 'w1', limit: 1, leaseMs: LEASE, now })));
      return handed.map((j) => j.ref);
    };
    // The POSTs end, acknowledged.
    const acknowledge = async () => {
      for (const j of handed.splice(0)) {
        slots.release('listener:a');
        assert.equal(await jobs.complete(j.id, 'w1'), true, `${j.ref} still held`);
      }
    };
    const other = async (now: number) =>
      (await store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w2', limit: 10, leaseMs: LEASE, now, freeSlots: () => 10 })).map((j) => j.ref);

    await add(0);
    const t1 = T0 + 10;
    assert.deepEqual(await claim(t1), ['a0'], 'a1 is kept, leased until t1 + LEASE');
    await acknowledge();
    const t2 = t1 + LEASE - RUNNER.attemptMs + 1;
    assert.deepEqual(await claim(t2), ['a1'], 'its attempt could outlive that lease');
    assert.deepEqual(await other(t1 + LEASE + 1), [], 'renewed when handed out');
    await acknowledge();

    await add(2);
    const t3 = t2 + 1;
    assert.deepEqual(await claim(t3), ['a2'], 'a3 is kept, leased until t3 + LEASE');
    await acknowledge();
    assert.deepEqual(await other(t3 + LEASE + 1), ['a3'], 'its lease ran out: another worker takes it');
    assert.deepEqual(await claim(t3 + LEASE + 2), [], 'no longer this one’s: dropped, not POSTed');
    assert.equal(slots.free('listener:a'), 1, 'its slot given back');
  });
});

test('no more jobs are kept ahead than the runner has workers, whatever a listener’s slots', async () => {
  await withSqliteStore(async (store) => {
    await createApp(store, 'app1');
    for (let i = 0; i < 10; i += 1) await store.notifications.create({ ...notification(`a${i}`, 'listener:a'), createdAt: T0 + i });
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, new ListenerSlots(60), () => undefined, { ...RUNNER, workers: 2 });
    assert.deepEqual((await jobs.claim({ kinds: ['webhook'], workerId: 'w1', limit: 2, leaseMs: LEASE, now: T0 + 10 })).map((j) => j.ref), ['a0', 'a1']);
    const rest = await store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w2', limit: 10, leaseMs: LEASE, now: T0 + 10, freeSlots: () => 10 });
    assert.deepEqual(rest.map((j) => j.ref), ['a4', 'a5', 'a6', 'a7', 'a8', 'a9'], 'two kept (a2, a3), the rest left for others');
  });
});
