import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresReachable, withStoreAndOtherSession } from '../helpers/postgres.js';
import { createApp, notification } from './store.contract.js';

const reachable = await postgresReachable();

test('a dead letter replayed while the retention sweep deletes it stays replayed (PostgreSQL)', { skip: reachable ? false : 'no PostgreSQL server' }, async () => {
  await withStoreAndOtherSession(async (store, other) => {
    await createApp(store, 'app1');
    const n = notification('evt-dead', 'listener:x');
    await store.notifications.create({ ...n, deadlineAt: n.createdAt + 1000 });
    const now = n.createdAt + 10;
    const [job] = await store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w1', limit: 1, leaseMs: 60_000, now, freeSlots: () => 10 });
    assert.ok(job);
    assert.ok(await store.jobs.bury(job.id, 'w1', 'gave up'));
    // Another request replays it (NotificationRepo.replay's update) and commits while the sweep,
    // which has already read it as dead, waits for its lock.
    await other.query('begin');
    await other.query(
      "update jobs set state = 'ready', run_at = $1, attempts = 0, deadline_at = $2, locked_by = null, locked_until = null where kind = 'webhook' and ref = 'evt-dead' and state = 'dead'",
      [now + 5000, now + 999_999],
    );
    const sweeping = store.notifications.sweepDeadLetters(n.createdAt + 999_999, 100);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await other.query('commit');
    assert.equal(await sweeping, 0, 'nothing swept: the one it read is no longer dead');
    const jobs = await other.query<{ state: string }>("select state from jobs where ref = 'evt-dead'");
    assert.deepEqual(jobs.rows, [{ state: 'ready' }]);
    const notes = await other.query("select id from notifications where id = 'evt-dead'");
    assert.equal(notes.rows.length, 1, 'its notification is kept for the replay');
  });
});
