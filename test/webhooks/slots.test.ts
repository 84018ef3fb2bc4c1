import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListenerLimitedJobs, ListenerSlots } from '../../src/webhooks/slots.js';
import { withSqliteStore } from '../helpers/sqlite.js';
import { createApp, notification } from '../store/store.contract.js';

const T0 = Date.UTC(2026, 0, 1);
const LEASE = 60_000;

test('once a claim found nothing past a busy listener, claims look only at the head for 200 ms', async () => {
  await withSqliteStore(async (store) => {
    await createApp(store, 'app1');
    for (let i = 0; i < 6; i += 1) await store.notifications.create({ ...notification(`busy${i}`, 'listener:busy'), createdAt: T0 + i });
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, new ListenerSlots(1), () => undefined);
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
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, slots, () => (more += 1));
    const claim = async () => (await jobs.claim({ kinds: ['webhook'], workerId: 'w1', limit: 10, leaseMs: LEASE, now: T0 + 10 })).map((j) => j.ref);
    assert.deepEqual(await claim(), ['a0', 'a1'], 'two slots');
    assert.equal(slots.free('listener:a'), 0);
    const other = new ListenerLimitedJobs(store.jobs, store.notifications, new ListenerSlots(10), () => undefined);
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
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, new ListenerSlots(2), () => undefined);
    assert.deepEqual((await jobs.claim({ kinds: ['webhook'], workerId: 'w1', limit: 10, leaseMs: LEASE, now: T0 + 10 })).map((j) => j.ref), ['a0', 'a1']);
    await jobs.giveBack('w1', T0 + 20);
    const next = await store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w2', limit: 10, leaseMs: LEASE, now: T0 + 20, freeSlots: () => 10 });
    assert.deepEqual(next.map((j) => j.ref).sort(), ['a2', 'a3']);
  });
});
