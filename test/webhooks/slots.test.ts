import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListenerLimitedJobs, ListenerSlots } from '../../src/webhooks/slots.js';
import { withSqliteStore } from '../helpers/sqlite.js';
import { createApp, notification } from '../store/store.contract.js';

const T0 = Date.UTC(2026, 0, 1);

test('once a claim found nothing past a busy listener, claims look only at the head for 200 ms', async () => {
  await withSqliteStore(async (store) => {
    await createApp(store, 'app1');
    for (let i = 0; i < 4; i += 1) await store.notifications.create({ ...notification(`busy${i}`, 'listener:busy'), createdAt: T0 + i });
    const jobs = new ListenerLimitedJobs(store.jobs, store.notifications, new ListenerSlots(1));
    const claim = async (now: number) => (await jobs.claim({ kinds: ['webhook'], workerId: 'w1', limit: 1, leaseMs: 60_000, now })).map((j) => j.ref);
    assert.deepEqual(await claim(T0 + 10), ['busy0'], 'the busy listener’s only slot');
    assert.deepEqual(await claim(T0 + 20), [], 'a look past it finds nothing else');
    await store.notifications.create({ ...notification('other', 'listener:other'), createdAt: T0 + 30 });
    assert.deepEqual(await claim(T0 + 100), [], 'within 200 ms only the head is read');
    assert.deepEqual(await claim(T0 + 220), ['other'], 'then the next claim looks past the backlog again');
  });
});
