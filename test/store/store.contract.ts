import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, NewJob } from '../../src/store/repos/jobs.js';
import type { Store } from '../../src/store/store.js';

/** A store on a fresh, migrated database, and a way to open a second one on the same database. */
export interface StoreUnderTest {
  readonly store: Store;
  /** Another store with its own connections on the same database: a second gateway instance. */
  another(): Promise<Store>;
  /** Closes every store opened here and removes the database. */
  dispose(): Promise<void>;
}

export interface StoreContractOptions {
  readonly name: string;
  readonly open: () => Promise<StoreUnderTest>;
  /** Cases this engine does not run, by test name, each with the reason. */
  readonly deviations?: Readonly<Record<string, string>>;
  /** Skips the whole suite, with the reason (e.g. no PostgreSQL server here). */
  readonly skip?: string | false;
}

const T0 = 1_800_000_000_000;
const LEASE = 30_000;
/** A realistic deadline: 72 hours after T0, far beyond 2^31, so int8 handling shows. */
const DEADLINE = T0 + 259_200_000;

function job(kind: string, ref: string, runAt = T0, extra: Partial<NewJob> = {}): NewJob {
  return { kind, ref, runAt, deadlineAt: DEADLINE, ...extra };
}

function refs(jobs: readonly Job[]): string[] {
  return jobs.map((j) => j.ref);
}

/**
 * The Store port's behaviour, run against every implementation (sqlite-store.test.ts,
 * postgres-store.test.ts). Each case gets a fresh database. Concurrency cases use several store
 * handles on one database, the way several gateway instances share PostgreSQL.
 */
export function runStoreContract({ name, open, deviations = {}, skip = false }: StoreContractOptions): void {
  function it(title: string, fn: (s: StoreUnderTest) => Promise<void>): void {
    const excused = deviations[title];
    test(title, { skip: excused ?? false }, async () => {
      const s = await open();
      try {
        await fn(s);
      } finally {
        await s.dispose();
      }
    });
  }

  describe(`store contract: ${name}`, { skip }, () => {
    it('jobs: claim returns due jobs of the asked kinds, oldest run time first, up to the limit', async ({ store }) => {
      await store.jobs.enqueue([
        job('submit', 'c', T0 - 1_000),
        job('submit', 'a', T0 - 3_000, { queue: 'q1', payload: '{"x":1}' }),
        job('submit', 'b', T0 - 2_000),
        job('submit', 'later', T0 + 1),
        job('webhook', 'other-kind', T0 - 5_000),
      ]);
      const first = await store.jobs.claim({ kinds: ['submit'], workerId: 'w1', limit: 2, leaseMs: LEASE, now: T0 });
      assert.deepEqual(refs(first), ['a', 'b']);
      const a = first[0] as Job;
      assert.equal(a.attempts, 1);
      assert.equal(a.queue, 'q1');
      assert.equal(a.payload, '{"x":1}');
      assert.equal(a.lastError, null);
      // Epoch milliseconds come back as numbers on every engine, not strings.
      assert.equal(typeof a.runAt, 'number');
      assert.equal(a.runAt, T0 - 3_000);
      assert.equal(a.deadlineAt, DEADLINE);
      assert.equal(typeof a.createdAt, 'number');
      const rest = await store.jobs.claim({ kinds: ['submit'], workerId: 'w1', limit: 10, leaseMs: LEASE, now: T0 });
      assert.deepEqual(refs(rest), ['c']);
      const both = await store.jobs.claim({ kinds: ['submit', 'webhook'], workerId: 'w1', limit: 10, leaseMs: LEASE, now: T0 + 1 });
      assert.deepEqual(refs(both), ['other-kind', 'later']);
    });

    it('jobs: concurrent claimers on several instances take every job exactly once', async (s) => {
      const stores = [s.store, await s.another(), await s.another()];
      const total = 300;
      await s.store.jobs.enqueue(Array.from({ length: total }, (_, i) => job('submit', `j${i}`, T0 - i)));
      const seen = new Map<string, string>();
      const claimers = stores.flatMap((store, si) =>
        Array.from({ length: 4 }, async (_, ci) => {
          const workerId = `s${si}-c${ci}`;
          for (;;) {
            const got = await store.jobs.claim({ kinds: ['submit'], workerId, limit: 7, leaseMs: LEASE, now: T0 });
            if (got.length === 0) return;
            for (const j of got) {
              assert.equal(seen.get(j.id), undefined, `job ${j.ref} claimed by ${seen.get(j.id)} and ${workerId}`);
              seen.set(j.id, workerId);
            }
            for (const j of got) assert.equal(await store.jobs.complete(j.id, workerId), true);
          }
        }),
      );
      await Promise.all(claimers);
      assert.equal(seen.size, total);
      assert.deepEqual(await s.store.jobs.backlog(T0), { ready: 0, oldestDueMs: 0 });
    });

    it('jobs: an expired lease lets another worker claim the job; the first holder can no longer ack', async (s) => {
      const other = await s.another();
      await s.store.jobs.enqueue([job('submit', 'x')]);
      const [held] = await s.store.jobs.claim({ kinds: ['submit'], workerId: 'dead', limit: 5, leaseMs: LEASE, now: T0 });
      assert.ok(held);
      assert.deepEqual(await other.jobs.claim({ kinds: ['submit'], workerId: 'alive', limit: 5, leaseMs: LEASE, now: T0 + LEASE - 1 }), []);
      const [taken] = await other.jobs.claim({ kinds: ['submit'], workerId: 'alive', limit: 5, leaseMs: LEASE, now: T0 + LEASE + 1 });
      assert.equal(taken?.id, held.id);
      assert.equal(taken?.attempts, 2);
      assert.equal(await s.store.jobs.complete(held.id, 'dead'), false);
      assert.equal(await s.store.jobs.reschedule(held.id, 'dead', T0, 'late'), false);
      assert.equal(await s.store.jobs.bury(held.id, 'dead', 'late'), false);
      assert.equal(await other.jobs.complete(held.id, 'alive'), true);
      assert.deepEqual(await other.jobs.claim({ kinds: ['submit'], workerId: 'alive', limit: 5, leaseMs: LEASE, now: T0 + 10 * LEASE }), []);
    });

    it('jobs: reschedule releases the job until its new run time and keeps the error and attempts', async ({ store }) => {
      await store.jobs.enqueue([job('submit', 'r')]);
      const [first] = await store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 1, leaseMs: LEASE, now: T0 });
      assert.ok(first);
      assert.equal(await store.jobs.reschedule(first.id, 'w', T0 + 5_000, 'network busy'), true);
      assert.deepEqual(await store.jobs.claim({ kinds: ['submit'], workerId: 'w2', limit: 1, leaseMs: LEASE, now: T0 + 4_999 }), []);
      const [again] = await store.jobs.claim({ kinds: ['submit'], workerId: 'w2', limit: 1, leaseMs: LEASE, now: T0 + 5_000 });
      assert.equal(again?.id, first.id);
      assert.equal(again?.attempts, 2);
      assert.equal(again?.lastError, 'network busy');
      assert.equal(again?.runAt, T0 + 5_000);
    });

    it('jobs: a buried job is never claimed again and leaves the backlog', async ({ store }) => {
      await store.jobs.enqueue([job('submit', 'dead'), job('submit', 'alive', T0 - 10)]);
      const claimed = await store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 2, leaseMs: LEASE, now: T0 });
      const dead = claimed.find((j) => j.ref === 'dead');
      assert.ok(dead);
      assert.equal(await store.jobs.bury(dead.id, 'w', 'permanent'), true);
      assert.equal(await store.jobs.reschedule(claimed.find((j) => j.ref === 'alive')?.id ?? '', 'w', T0 + 100, 'retry'), true);
      const later = await store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 5, leaseMs: LEASE, now: T0 + 10 * LEASE });
      assert.deepEqual(refs(later), ['alive']);
      assert.deepEqual(await store.jobs.backlog(T0 + 10 * LEASE), { ready: 1, oldestDueMs: 10 * LEASE - 100 });
    });

    it('jobs: wake makes waiting jobs of the given refs due now, leaving held and other jobs alone', async ({ store }) => {
      await store.jobs.enqueue([
        job('submit', 'wait-1', T0 + 60_000),
        job('submit', 'wait-2', T0 + 60_000),
        job('submit', 'not-asked', T0 + 60_000),
        job('webhook', 'wait-1', T0 + 60_000),
        job('submit', 'held', T0),
      ]);
      const [held] = await store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 1, leaseMs: LEASE, now: T0 });
      assert.equal(held?.ref, 'held');
      assert.equal(await store.jobs.wake('submit', ['wait-1', 'wait-2', 'held', 'missing'], T0 + 10), 2);
      assert.equal(await store.jobs.wake('submit', [], T0 + 10), 0);
      const due = await store.jobs.claim({ kinds: ['submit', 'webhook'], workerId: 'w', limit: 10, leaseMs: LEASE, now: T0 + 10 });
      assert.deepEqual(refs(due).sort(), ['wait-1', 'wait-2']);
    });

    it('jobs: backlog counts due ready jobs and the age of the oldest', async ({ store }) => {
      assert.deepEqual(await store.jobs.backlog(T0), { ready: 0, oldestDueMs: 0 });
      await store.jobs.enqueue([job('submit', 'a', T0 - 2_500), job('webhook', 'b', T0 - 100), job('submit', 'future', T0 + 1_000)]);
      assert.deepEqual(await store.jobs.backlog(T0), { ready: 2, oldestDueMs: 2_500 });
    });

  });
}

