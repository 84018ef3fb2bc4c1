import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresReachable, withStoreAndOtherSession } from '../helpers/postgres.js';
import { createApp, notification } from './store.contract.js';

const reachable = await postgresReachable();

test('a listener claim does not lease a job another instance put off meanwhile: no retry before its back-off (PostgreSQL)', { skip: reachable ? false : 'no PostgreSQL server' }, async () => {
  await withStoreAndOtherSession(async (store, other) => {
    await createApp(store, 'app1');
    const n = notification('evt-retry', 'listener:x');
    await store.notifications.create(n);
    const now = n.createdAt + 10;
    // Another instance's attempt failed: its reschedule (claim and failure in one update here)
    // commits between this claim's read of the due jobs and its lease, which waits for the lock.
    await other.query('begin');
    await other.query("update jobs set run_at = $1, attempts = attempts + 1, locked_by = null, locked_until = null, last_error = 'listener answered HTTP 503' where ref = 'evt-retry'", [now + 60_000]);
    const claiming = store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w1', limit: 1, leaseMs: 60_000, now, freeSlots: () => 10 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await other.query('commit');
    assert.deepEqual(await claiming, [], 'not due until its back-off ends');
    const { rows } = await other.query<{ run_at: string; locked_by: string | null }>("select run_at, locked_by from jobs where ref = 'evt-retry'");
    assert.deepEqual(rows, [{ run_at: String(now + 60_000), locked_by: null }]);
  });
});
