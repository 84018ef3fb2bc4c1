import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, NewJob } from '../../src/store/repos/jobs.js';
import type { MoPartRecord, PartSetHandler } from '../../src/store/repos/inbox.js';
import type { IdempotencyRecord, MessageRecord, RecipientRecord } from '../../src/store/repos/messages.js';
import type { NewNotification } from '../../src/store/repos/notifications.js';
import type { SubscriptionRecord } from '../../src/store/repos/subscriptions.js';
import { AppGoneError, type Store } from '../../src/store/store.js';
import type { TokenRecord } from '../../src/store/repos/tokens.js';

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

    it('jobs: jobs made in one millisecond and due at once are claimed in the order they were made', async ({ store }) => {
      await createApp(store, 'app1');
      // Accepts made one after the other in one millisecond (see postgres-claim-ties.test.ts for a table whose rows came and went).
      for (const id of ['SMStie1', 'SMStie2', 'SMStie3']) {
        const r = recipient(id, 0);
        await store.messages.accept(message(id, 'app1'), [r], [job('submit', r.id, T0)]);
      }
      assert.deepEqual(refs(await store.jobs.claim({ kinds: ['submit'], workerId: 'w1', limit: 10, leaseMs: LEASE, now: T0 })), ['SMStie1-0', 'SMStie2-0', 'SMStie3-0']);
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

    it('jobs: a renewal extends only the leases still held under the lease it names: not one another worker took, nor one claimed again', async (s) => {
      const other = await s.another();
      await s.store.jobs.enqueue([job('submit', 'a', T0 - 3), job('submit', 'b', T0 - 2), job('submit', 'c', T0 - 1)]);
      const held = await s.store.jobs.claim({ kinds: ['submit'], workerId: 'w1', limit: 5, leaseMs: LEASE, now: T0 });
      const id = (ref: string) => held.find((j) => j.ref === ref)?.id as string;
      const first = T0 + LEASE;
      assert.deepEqual(await s.store.jobs.renew([id('a')], 'w1', first, T0 + 10 * LEASE), [id('a')]);
      // Past the first lease: w1 claims b and c again; b goes back and to w2.
      const late = first + 1;
      assert.deepEqual((await s.store.jobs.claim({ kinds: ['submit'], workerId: 'w1', limit: 5, leaseMs: LEASE, now: late })).map((j) => j.ref), ['b', 'c']);
      assert.equal(await s.store.jobs.reschedule(id('b'), 'w1', late, 'given back'), true);
      assert.deepEqual((await other.jobs.claim({ kinds: ['submit'], workerId: 'w2', limit: 5, leaseMs: LEASE, now: late })).map((j) => j.ref), ['b']);

      const second = late + LEASE;
      assert.deepEqual(await s.store.jobs.renew([id('b'), id('c')], 'w1', first, second + LEASE), [], 'neither is held under the first lease any more');
      assert.deepEqual(await s.store.jobs.renew([id('b'), id('c')], 'w1', second, second + LEASE), [id('c')]);
      assert.equal(await other.jobs.complete(id('b'), 'w2'), true, 'b is still w2’s');
      assert.deepEqual(await other.jobs.claim({ kinds: ['submit'], workerId: 'w2', limit: 5, leaseMs: LEASE, now: second + 1 }), [], 'the renewed leases hold');
      const [after] = await other.jobs.claim({ kinds: ['submit'], workerId: 'w2', limit: 5, leaseMs: LEASE, now: second + LEASE + 1 });
      assert.equal(after?.ref, 'c');
      assert.equal(after?.attempts, 3, 'a renewal is not an attempt');
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
      assert.deepEqual(await store.jobs.backlog(T0 + 10 * LEASE), { ready: 1, oldestDueMs: 10 * LEASE - 100 });
      const later = await store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 5, leaseMs: LEASE, now: T0 + 10 * LEASE });
      assert.deepEqual(refs(later), ['alive']);
      // In flight, it waits for no worker: not due again before its lease ends.
      assert.deepEqual(await store.jobs.backlog(T0 + 10 * LEASE), { ready: 0, oldestDueMs: 0 });
      assert.deepEqual(await store.jobs.backlog(T0 + 11 * LEASE), { ready: 1, oldestDueMs: 0 });
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

    it('meta: of two instances racing to set a key only one wins', async (s) => {
      const other = await s.another();
      const results = await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => s.store.meta.setIfAbsent('admin', `a${i}`)),
        ...Array.from({ length: 5 }, (_, i) => other.meta.setIfAbsent('admin', `b${i}`)),
      ]);
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.findIndex(Boolean);
      assert.equal(await other.meta.get('admin'), winner < 5 ? `a${winner}` : `b${winner - 5}`);
      await s.store.meta.set('admin', 'replaced');
      assert.equal(await other.meta.get('admin'), 'replaced');
      assert.equal(await other.meta.get('missing'), undefined);
    });

    it('tokens: an access grant carries its app\'s throttles, delivery status URL and short codes in code order, current on every instance', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      await createApp(s.store, 'app2');
      assert.equal(await s.store.tokens.issuePair(token('a1', 'access', 'r1'), token('r1', 'refresh'), T0, SECRET_HASH), 'issued');
      const bare = await other.tokens.getAccessGrant('a1');
      assert.deepEqual(bare?.token, token('a1', 'access', 'r1'));
      assert.deepEqual(bare?.app, {
        id: 'app1',
        name: 'app1',
        realm: 'sandbox',
        suspended: false,
        scopes: ['SMS'],
        ratePerSecond: null,
        ratePerDay: null,
        deliveryStatusUrl: null,
        shortCodes: [],
      });
      // Claimed out of order; another app's code is not this app's.
      for (const [code, appId] of [['3000', 'app1'], ['22627001', 'app1'], ['22627000', 'app1'], ['1000', 'app2']] as const) {
        assert.equal(await s.store.shortCodes.claim({ code, appId, moDelivery: 'poll', listenerUrl: null, createdAt: T0 }), true);
      }
      await s.store.apps.update('app1', { suspended: true, deliveryStatusUrl: 'https://app.example/dr', ratePerSecond: 5, ratePerDay: 2_000_000_000 }, T0 + 1);
      const changed = await other.tokens.getAccessGrant('a1');
      assert.deepEqual(changed?.app, {
        id: 'app1',
        name: 'app1',
        realm: 'sandbox',
        suspended: true,
        scopes: ['SMS'],
        ratePerSecond: 5,
        ratePerDay: 2_000_000_000,
        deliveryStatusUrl: 'https://app.example/dr',
        shortCodes: ['22627000', '22627001', '3000'],
      });
      // The same codes, in the same order, as the short code repository lists them.
      assert.deepEqual(changed.app.shortCodes, (await other.shortCodes.listByApp('app1')).map((c) => c.code));
      assert.deepEqual((await other.shortCodes.list()).map((c) => [c.code, c.appId]), [['1000', 'app2'], ['22627000', 'app1'], ['22627001', 'app1'], ['3000', 'app1']]);
      assert.equal(await s.store.shortCodes.remove('app1', '22627000'), true);
      assert.deepEqual((await other.tokens.getAccessGrant('a1'))?.app.shortCodes, ['22627001', '3000']);
      // A refresh token is not an access grant.
      assert.equal(await other.tokens.getAccessGrant('r1'), undefined);
      assert.equal(await other.tokens.getAccessGrant('nope'), undefined);
    });

    it('tokens: a revocation, a rotated secret and a deleted app show in the next grant read', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      assert.equal(await s.store.tokens.issuePair(token('a1', 'access', 'r1'), token('r1', 'refresh'), T0, SECRET_HASH), 'issued');
      assert.equal(await s.store.tokens.issuePair(token('a2', 'access', 'r2'), token('r2', 'refresh'), T0, SECRET_HASH), 'issued');
      // Read first, so that a store keeping grants in memory holds them when they change.
      assert.equal((await other.tokens.getAccessGrant('a1'))?.token.revokedAt, null);
      assert.equal((await other.tokens.getAccessGrant('a2'))?.token.revokedAt, null);
      assert.equal(await s.store.tokens.revoke('r1', 'app1', T0 + 1), 2);
      assert.equal((await other.tokens.getAccessGrant('a1'))?.token.revokedAt, T0 + 1);
      assert.equal((await other.tokens.getAccessGrant('a2'))?.token.revokedAt, null);
      assert.equal(await s.store.apps.rotateSecret('app1', 'new-hash', T0 + 2), true);
      assert.equal((await other.tokens.getAccessGrant('a2'))?.token.revokedAt, T0 + 2);
      assert.equal(await s.store.apps.delete('app1'), true);
      assert.equal(await other.tokens.getAccessGrant('a2'), undefined);
    });

    it('tokens: a pair is issued only while its app has the secret hash its client was checked against and is not suspended', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      assert.equal(await s.store.tokens.issuePair(token('a1', 'access', 'r1'), token('r1', 'refresh'), T0, 'another-hash'), 'client-changed');
      assert.equal(await s.store.tokens.get('r1'), undefined, 'nothing stored');
      assert.equal(await s.store.tokens.issuePair(token('a1', 'access', 'r1'), token('r1', 'refresh'), T0, SECRET_HASH), 'issued');
      // A refresh whose client was checked before the rotation or suspension gets nothing, and its refresh token stays as it was.
      await other.apps.update('app1', { suspended: true }, T0 + 1);
      assert.equal(await s.store.tokens.issuePair(token('a2', 'access', 'r2'), token('r2', 'refresh'), T0 + 2, SECRET_HASH, 'r1'), 'client-changed');
      await other.apps.update('app1', { suspended: false }, T0 + 3);
      assert.equal(await other.apps.rotateSecret('app1', 'new-hash', T0 + 4), true);
      assert.equal(await s.store.tokens.issuePair(token('a2', 'access', 'r2'), token('r2', 'refresh'), T0 + 5, SECRET_HASH), 'client-changed');
      assert.equal(await s.store.tokens.get('a2'), undefined);
      assert.equal(await s.store.tokens.issuePair(token('a2', 'access', 'r2'), token('r2', 'refresh'), T0 + 5, 'new-hash', 'r1'), 'grant-spent', 'the rotation revoked r1');
      assert.equal(await s.store.tokens.issuePair(token('a2', 'access', 'r2'), token('r2', 'refresh'), T0 + 5, 'new-hash'), 'issued');
      assert.equal(await other.apps.delete('app1'), true);
      assert.equal(await s.store.tokens.issuePair(token('a3', 'access', 'r3'), token('r3', 'refresh'), T0 + 6, 'new-hash'), 'client-changed', 'a deleted app: no foreign key error');
    });

    it('tokens: a rotation and a pair issued for the old secret at once: the pair is refused or revoked by the rotation', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      const pairs = Array.from({ length: 20 }, (_, i) => [token(`a${i}`, 'access', `r${i}`), token(`r${i}`, 'refresh')] as const);
      const [outcomes] = await Promise.all([
        Promise.all(pairs.map(([access, refresh]) => s.store.tokens.issuePair(access, refresh, T0, SECRET_HASH))),
        other.apps.rotateSecret('app1', 'new-hash', T0 + 1),
      ]);
      assert.ok(outcomes.every((o) => o === 'issued' || o === 'client-changed'), JSON.stringify(outcomes));
      for (const [access] of pairs) assert.notEqual((await s.store.tokens.getAccessGrant(access.hash))?.token.revokedAt ?? T0 + 1, null, access.hash);
    });

    it('apps: getByKey reads the app with its short codes in code order', async ({ store }) => {
      await createApp(store, 'app1');
      assert.deepEqual((await store.apps.getByKey('key-app1'))?.shortCodes, []);
      for (const code of ['3000', '22627001']) assert.equal(await store.shortCodes.claim({ code, appId: 'app1', moDelivery: 'poll', listenerUrl: null, createdAt: T0 }), true);
      const app = await store.apps.getByKey('key-app1');
      assert.deepEqual([app?.id, app?.shortCodes], ['app1', ['22627001', '3000']]);
      assert.equal(await store.apps.getByKey('key-nope'), undefined);
    });

    it('messages and subscriptions: a write for an app deleted meanwhile throws AppGoneError, and fails no other write', async (s) => {
      await createApp(s.store, 'app1');
      const gone = (err: unknown) => err instanceof AppGoneError && err.message === 'app gone-app no longer exists';
      // Several at once: on PostgreSQL they share one statement (see coalesce.ts).
      const accepts = await Promise.allSettled(
        ['m1', 'm2', 'm3'].map((id) => s.store.messages.accept(message(id, id === 'm2' ? 'gone-app' : 'app1'), [recipient(id, 1)], [job('submit', `${id}-1`)])),
      );
      assert.deepEqual(accepts.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.ok(accepts[1]?.status === 'rejected' && gone(accepts[1].reason), String(accepts[1]?.status === 'rejected' && accepts[1].reason));
      assert.equal(await s.store.messages.recipient('m2-1'), undefined);
      const sub = { id: 'sub-1', appId: 'gone-app', kind: 'inbound' as const, shortCode: '22627000', notifyUrl: 'http://127.0.0.1:9/in', callbackData: null, criteria: null, format: 'JSON' as const, clientCorrelator: null, apiVersion: 'v1', createdAt: T0 };
      await assert.rejects(s.store.subscriptions.create(sub), gone);
    });

    it('tokens: trimApp keeps an app\'s newest refresh tokens with their access tokens, in bounded batches, and no other app\'s', async ({ store }) => {
      await createApp(store, 'app1');
      await createApp(store, 'app2');
      const pair = (n: number, appId = 'app1') => {
        const refresh = { ...token(`r${appId}-${n}`, 'refresh'), appId, createdAt: T0 + n };
        return [{ ...token(`a${appId}-${n}`, 'access', refresh.hash), appId, createdAt: T0 + n }, refresh] as const;
      };
      for (let n = 1; n <= 5; n++) assert.equal(await store.tokens.issuePair(...pair(n), T0 + n, SECRET_HASH), 'issued');
      assert.equal(await store.tokens.issuePair(...pair(1, 'app2'), T0, SECRET_HASH), 'issued');
      assert.equal(await store.tokens.trimApp('app1', 2, 2), 4, 'a batch of two of the three pairs beyond the newest two');
      assert.equal(await store.tokens.get('rapp1-3'), undefined);
      assert.notEqual(await store.tokens.get('rapp1-1'), undefined, 'the oldest waits for the next batch');
      assert.equal(await store.tokens.trimApp('app1', 2, 2), 2);
      for (const n of [1, 2, 3]) {
        assert.equal(await store.tokens.get(`rapp1-${n}`), undefined, `refresh ${n}`);
        assert.equal(await store.tokens.get(`aapp1-${n}`), undefined, `access ${n}`);
      }
      for (const n of [4, 5]) assert.notEqual(await store.tokens.getAccessGrant(`aapp1-${n}`), undefined, `pair ${n} kept`);
      assert.notEqual(await store.tokens.getAccessGrant('aapp2-1'), undefined, 'another app is not touched');
      assert.equal(await store.tokens.trimApp('app1', 2, 100), 0);
    });

    it('rate limits: concurrent hits on several instances each get their own count', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      const hits = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? s.store : other).rateLimits.hit('app1', 's', T0, T0 + 1_000)),
      );
      assert.deepEqual([...hits].sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
      assert.equal(await other.rateLimits.hit('app1', 's', T0 + 1_000, T0 + 2_000), 1);
      assert.equal(await s.store.rateLimits.sweep(T0 + 1_000), 1);
      assert.equal(await s.store.rateLimits.hit('app1', 's', T0 + 1_000, T0 + 2_000), 2);
    });

    it('messages: concurrent sends with one idempotency key on several instances store one message; the others beside them are stored', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      // Sends without a key at the same moment: on PostgreSQL they share statements with the keyed ones.
      const attempts = Array.from({ length: 16 }, (_, i) => {
        const id = `m${i}`;
        const keys = i % 2 === 0 ? idempotent(id, 'app1', { idempotencyKey: 'same-key' }) : undefined;
        return (i % 4 < 2 ? s.store : other).messages.accept(message(id, 'app1'), [recipient(id, 1)], [job('submit', `${id}-1`)], keys);
      });
      const results = await Promise.all(attempts);
      const keyed = results.filter((_, i) => i % 2 === 0);
      assert.ok(results.every((r, i) => i % 2 === 0 || r.created), 'every send without a key is stored');
      assert.equal(keyed.filter((r) => r.created).length, 1);
      const winner = (await s.store.messages.findIdempotent({ appId: 'app1', idempotencyKey: 'same-key', clientCorrelator: null }))?.messageId;
      for (const r of keyed) if (!r.created) assert.equal(r.existing?.messageId, winner);
      // Only the stored messages' submit jobs exist.
      const jobs = await s.store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 40, leaseMs: LEASE, now: T0 });
      assert.deepEqual([...refs(jobs)].sort(), [`${winner}-1`, ...results.flatMap((_, i) => (i % 2 === 1 ? [`m${i}-1`] : []))].sort());
    });

    it('messages: a send\'s idempotency keys outlive its status, find the send by either key, refuse another send whole, and go at their own expiry in batches', async ({ store }) => {
      await createApp(store, 'app1');
      await createApp(store, 'app2');
      const first = idempotent('m1', 'app1', { idempotencyKey: 'k', clientCorrelator: 'c', expiresAt: T0 + 1_000 });
      assert.deepEqual(await store.messages.accept(message('m1', 'app1'), [recipient('m1', 1)], [], first), { created: true });
      assert.deepEqual(await store.messages.findIdempotent({ appId: 'app1', idempotencyKey: 'k', clientCorrelator: null }), first);
      assert.deepEqual(await store.messages.findIdempotent({ appId: 'app1', idempotencyKey: 'other', clientCorrelator: 'c' }), first);
      assert.equal(await store.messages.findIdempotent({ appId: 'app2', idempotencyKey: 'k', clientCorrelator: 'c' }), undefined, 'another app\'s keys are its own');
      for (const taken of [{ idempotencyKey: 'k' }, { clientCorrelator: 'c' }]) {
        const again = await store.messages.accept(message('m2', 'app1'), [recipient('m2', 1)], [job('submit', 'm2-1')], idempotent('m2', 'app1', taken));
        assert.deepEqual(again, { created: false, existing: first });
      }
      assert.equal(await store.messages.recipient('m2-1'), undefined, 'nothing of the refused send was written');
      assert.deepEqual(refs(await store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 5, leaseMs: LEASE, now: T0 })), []);

      // The status goes SWITCHBOARD_STATUS_RETENTION_S after it became final; the keys stay.
      assert.ok(await store.messages.finalize({ recipientId: 'm1-1' }, 'DeliveredToTerminal', T0, 10, () => null));
      assert.equal(await store.messages.sweep(T0 + 10, 10), 1);
      assert.equal(await store.messages.recipient('m1-1'), undefined);
      assert.deepEqual(await store.messages.findIdempotent({ appId: 'app1', idempotencyKey: 'k', clientCorrelator: null }), first);

      for (const [id, expiresAt] of [['m3', T0 + 1_000], ['m4', T0 + 500], ['m5', T0 + 1_001]] as const) {
        assert.deepEqual(await store.messages.accept(message(id, 'app2'), [], [], idempotent(id, 'app2', { idempotencyKey: id, expiresAt })), { created: true });
      }
      assert.equal(await store.messages.sweepIdempotent(T0 + 499, 10), 0);
      assert.equal(await store.messages.sweepIdempotent(T0 + 1_000, 2), 2, 'a bounded batch');
      assert.equal(await store.messages.sweepIdempotent(T0 + 1_000, 2), 1);
      for (const key of ['k', 'm3', 'm4']) assert.equal(await store.messages.findIdempotent({ appId: key === 'k' ? 'app1' : 'app2', idempotencyKey: key, clientCorrelator: null }), undefined, key);
      assert.notEqual(await store.messages.findIdempotent({ appId: 'app2', idempotencyKey: 'm5', clientCorrelator: null }), undefined, 'not yet expired');
      // Forgotten: the key is free for a new send.
      assert.deepEqual(await store.messages.accept(message('m6', 'app1'), [], [], idempotent('m6', 'app1', { idempotencyKey: 'k' })), { created: true });
    });

    it('messages: concurrent accepts each store their own message, recipients and jobs; concurrent reads each get their own row', async (s) => {
      await createApp(s.store, 'app1');
      await createApp(s.store, 'app2');
      // Many at once: on PostgreSQL they share statements (see coalesce.ts), which must not mix them up.
      const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
      const results = await Promise.all(
        ids.map((id, i) => {
          const seqs = i % 3 === 0 ? [1, 2] : [1];
          return s.store.messages.accept(
            message(id, i % 2 === 0 ? 'app1' : 'app2', { text: `text ${id}` }),
            seqs.map((n) => recipient(id, n)),
            seqs.map((n) => job('submit', `${id}-${n}`)),
          );
        }),
      );
      assert.ok(results.every((r) => r.created));
      const jobs = await s.store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 100, leaseMs: LEASE, now: T0 });
      assert.deepEqual([...refs(jobs)].sort(), ids.flatMap((id, i) => (i % 3 === 0 ? [`${id}-1`, `${id}-2`] : [`${id}-1`])).sort());
      const reads = await Promise.all([...ids.map((id) => s.store.messages.recipient(`${id}-1`)), s.store.messages.recipient('c1-2')]);
      assert.deepEqual(
        reads.map((r) => r && [r.recipient.id, r.message.id, r.message.appId, r.message.text]),
        [...ids.map((id, i) => [`${id}-1`, id, i % 2 === 0 ? 'app1' : 'app2', `text ${id}`]), undefined],
      );
      await s.store.handsets.update('+14255550001', { online: false }, T0);
      const handsets = await Promise.all(['+14255550001', '+14255550002', '+14255550001'].map((n) => s.store.handsets.get(n)));
      assert.deepEqual(
        handsets.map((h) => [h.number, h.online]),
        [
          ['+14255550001', false],
          ['+14255550002', true],
          ['+14255550001', false],
        ],
      );
      await s.store.tokens.issuePair(token('ga', 'access', 'gr'), token('gr', 'refresh'), T0, SECRET_HASH);
      const grants = await Promise.all(['ga', 'gr', 'nope', 'ga'].map((h) => s.store.tokens.getAccessGrant(h)));
      assert.deepEqual(
        grants.map((g) => g?.token.hash),
        ['ga', undefined, undefined, 'ga'],
      );
    });

    it('jobs and messages: concurrent enqueues, acks and submit statuses each apply to their own rows', async (s) => {
      await createApp(s.store, 'app1');
      // Many at once: on PostgreSQL they share statements (see coalesce.ts), which must not mix them up.
      await Promise.all(Array.from({ length: 20 }, (_, i) => s.store.jobs.enqueue([job('k', `e${i}`), ...(i % 5 === 0 ? [job('k', `e${i}b`)] : [])])));
      const enqueued = await s.store.jobs.claim({ kinds: ['k'], workerId: 'w1', limit: 100, leaseMs: LEASE, now: T0 });
      assert.equal(enqueued.length, 24);
      // Acks: half by the holder, half by a worker that does not hold the job.
      const acks = await Promise.all(enqueued.map((j, i) => s.store.jobs.complete(j.id, i % 2 === 0 ? 'w1' : 'w2')));
      assert.deepEqual(acks, enqueued.map((_, i) => i % 2 === 0));
      assert.deepEqual(await Promise.all(enqueued.map((j) => s.store.jobs.complete(j.id, 'w1'))), enqueued.map((_, i) => i % 2 === 1), 'each job deleted once');

      const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);
      for (const id of ids) await s.store.messages.accept(message(id, 'app1'), [recipient(id, 1)], [job('submit', `${id}-1`)]);
      const submits = await s.store.jobs.claim({ kinds: ['submit'], workerId: 'w1', limit: 100, leaseMs: LEASE, now: T0 });
      const held = new Map(submits.map((j) => [j.ref, j.id]));
      const marked = await Promise.all(
        ids.map((id, i) => s.store.messages.markSubmitted(`${id}-1`, `net-${id}`, T0 + i, { jobId: held.get(`${id}-1`) ?? '', workerId: i % 3 === 0 ? 'w2' : 'w1' })),
      );
      assert.deepEqual(marked, ids.map((_, i) => i % 3 !== 0), 'only the holder’s job goes with its status');
      const after = await Promise.all(ids.map((id) => s.store.messages.recipient(`${id}-1`)));
      assert.deepEqual(
        after.map((r) => r && [r.recipient.status, r.recipient.networkId, r.recipient.updatedAt]),
        ids.map((id, i) => ['DeliveredToNetwork', `net-${id}`, T0 + i]),
      );
    });

    it('messages: markSubmitted deletes the held submit job in its own write, never someone else’s', async (s) => {
      await createApp(s.store, 'app1');
      await s.store.messages.accept(message('ms', 'app1'), [recipient('ms', 1), recipient('ms', 2)], [job('submit', 'ms-1'), job('submit', 'ms-2')]);
      const claimed = await s.store.jobs.claim({ kinds: ['submit'], workerId: 'w1', limit: 5, leaseMs: LEASE, now: T0 });
      const held = new Map(claimed.map((j) => [j.ref, j.id]));
      const first = await s.store.messages.markSubmitted('ms-1', 'net-1', T0, { jobId: held.get('ms-1') ?? '', workerId: 'w1' });
      assert.equal(first, true, 'the holder’s job goes with the status');
      assert.equal(await s.store.jobs.complete(held.get('ms-1') ?? '', 'w1'), false, 'nothing left to complete');
      assert.equal(await s.store.messages.markSubmitted('ms-2', 'net-2', T0, { jobId: held.get('ms-2') ?? '', workerId: 'w2' }), false, 'not the holder');
      assert.equal(await s.store.jobs.complete(held.get('ms-2') ?? '', 'w1'), true, 'the job stayed with its holder');
      assert.equal((await s.store.messages.recipient('ms-1'))?.recipient.status, 'DeliveredToNetwork');
      assert.equal((await s.store.messages.recipient('ms-2'))?.recipient.networkId, 'net-2');
    });

    it('messages: a message whose id another instance already took is refused whole, as neither created nor a duplicate', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      await createApp(s.store, 'app2');
      assert.deepEqual(await s.store.messages.accept(message('m1', 'app1'), [recipient('m1', 1)], [job('submit', 'm1-1')]), { created: true });
      const keys = idempotent('m1', 'app2', { idempotencyKey: 'k' });
      const clash = await other.messages.accept(message('m1', 'app2', { text: 'other' }), [recipient('m1', 2)], [job('submit', 'm1-2')], keys);
      assert.deepEqual(clash, { created: false, existing: undefined });
      const jobs = await s.store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 20, leaseMs: LEASE, now: T0 });
      assert.deepEqual(refs(jobs), ['m1-1'], 'nothing of the refused message was written');
      assert.equal((await s.store.messages.recipient('m1-2')), undefined);
      assert.equal(await s.store.messages.findIdempotent(keys), undefined, 'nor its keys');
      // Drawn again, the send is stored with its keys.
      assert.deepEqual(await other.messages.accept(message('m2', 'app2'), [recipient('m2', 2)], [], { ...keys, messageId: 'm2' }), { created: true });
      assert.equal((await s.store.messages.findIdempotent(keys))?.messageId, 'm2');
    });

    it('messages: recipients finalized at once on several instances: each once, and the message ends final', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      const n = 6;
      const recipients = Array.from({ length: n }, (_, i) => recipient('m1', i + 1));
      assert.deepEqual(await s.store.messages.accept(message('m1', 'app1'), recipients, []), { created: true });
      const notified: string[] = [];
      const notify = (_m: unknown, r: { id: string }) => {
        notified.push(r.id);
        const id = `dlr-${r.id}`;
        return { id, appId: 'app1', kind: 'dlr' as const, target: 'client' as const, shortCode: null, url: 'http://127.0.0.1:1/dr', contentType: 'application/json', body: '{}', createdAt: T0, queue: 'listener:http://127.0.0.1:1', deadlineAt: T0 + 60_000 };
      };
      // Every recipient twice (a receipt and a repeat of it), half on each instance.
      const results = await Promise.all(
        [...recipients, ...recipients].map((r, i) =>
          (i % 2 === 0 ? s.store : other).messages.finalize({ recipientId: r.id }, 'DeliveredToTerminal', T0 + i, 60_000, notify),
        ),
      );
      const done = results.filter((r) => r !== undefined);
      assert.equal(done.length, n, 'each recipient turns final exactly once');
      // The builder may also run for a repeat that then finds the recipient final (it is pure);
      // what is stored is one notification per recipient (the webhook jobs below).
      assert.equal(new Set(notified).size, n);
      assert.equal(done.filter((r) => r?.messageFinal).length, 1, 'exactly one finalize sees the message complete');
      const status = await other.messages.readStatus('app1', 'm1', T0 + 100);
      assert.ok(status);
      assert.ok(status.recipients.every((r) => r.status === 'DeliveredToTerminal'));
      assert.equal(typeof status.message.statusExpiresAt, 'number');
      assert.equal(await s.store.messages.readStatus('app1', 'm1', T0 + 100), undefined, 'a final status is read once');
      const webhooks = await s.store.jobs.claim({ kinds: ['webhook'], workerId: 'w', limit: 20, leaseMs: LEASE, now: T0 + 100 });
      assert.equal(webhooks.length, n, 'one notification per recipient');
      for (const r of recipients) assert.ok(await s.store.notifications.get(`dlr-${r.id}`), 'stored with its final state');
    });

    it('messages: many single-recipient messages finalized at once each turn final once, with their own notification or none', async (s) => {
      await createApp(s.store, 'app1');
      const ids = Array.from({ length: 16 }, (_, i) => `f${i}`);
      for (const id of ids) await s.store.messages.accept(message(id, 'app1'), [recipient(id, 1)], []);
      // Every fourth message wants no notification; the first four get a repeat in the same burst.
      const notify = (m: MessageRecord, r: { id: string }) => (Number(m.id.slice(1)) % 4 === 3 ? null : { ...notification(`dlr-${r.id}`, 'q-dlr'), kind: 'dlr' as const });
      const calls = [...ids, ...ids.slice(0, 4)].map((id, i) =>
        s.store.messages.finalize({ recipientId: `${id}-1` }, i % 2 === 0 ? 'DeliveredToTerminal' : 'DeliveryImpossible', T0 + i, 60_000, notify),
      );
      const results = await Promise.all(calls);
      assert.deepEqual(
        results.slice(0, 16).map((r) => [r?.recipient.id, r?.recipient.status, r?.messageFinal]),
        ids.map((id, i) => [`${id}-1`, i % 2 === 0 ? 'DeliveredToTerminal' : 'DeliveryImpossible', true]),
      );
      assert.deepEqual(results.slice(16), [undefined, undefined, undefined, undefined], 'a repeat finds it final');
      const statuses = await Promise.all(ids.map((id) => s.store.messages.readStatus('app1', id, T0 + 100)));
      assert.deepEqual(
        statuses.map((st) => [st?.recipients[0]?.status, typeof st?.message.statusExpiresAt]),
        ids.map((_, i) => [i % 2 === 0 ? 'DeliveredToTerminal' : 'DeliveryImpossible', 'number']),
      );
      const webhooks = await s.store.jobs.claim({ kinds: ['webhook'], workerId: 'w', limit: 100, leaseMs: LEASE, now: T0 + 100 });
      assert.deepEqual([...refs(webhooks)].sort(), ids.filter((_, i) => i % 4 !== 3).map((id) => `dlr-${id}-1`).sort(), 'one notification each, none where none was built');
    });

    it('messages: a OneAPI request’s own fields come back with the message; a status read with consume: false leaves the read-once answer', async (s) => {
      await createApp(s.store, 'app1');
      const oneapiRequest = { senderAddress: 'tel:22627000', clientCorrelator: 'c-1', receiptRequest: { notifyURL: 'https://app.example/dr', callbackData: 'd' }, senderName: 'ACME' };
      await s.store.messages.accept(message('o1', 'app1', { api: 'oneapi-2', oneapiRequest }), [recipient('o1', 1)], []);
      assert.deepEqual((await s.store.messages.recipient('o1-1'))?.message.oneapiRequest, oneapiRequest);
      assert.equal((await s.store.messages.readStatus('app1', 'o1', T0, { consume: false }))?.message.oneapiRequest?.clientCorrelator, 'c-1');
      await s.store.messages.finalize({ recipientId: 'o1-1' }, 'DeliveredToTerminal', T0 + 1, 60_000, () => null);
      for (let i = 0; i < 2; i++) assert.equal((await s.store.messages.readStatus('app1', 'o1', T0 + 2, { consume: false }))?.recipients[0]?.status, 'DeliveredToTerminal');
      assert.ok(await s.store.messages.readStatus('app1', 'o1', T0 + 3), 'the final answer is still there for the status query');
      assert.equal(await s.store.messages.readStatus('app1', 'o1', T0 + 4, { consume: false }), undefined, 'and gone for every read after it');
    });

    it('messages: DeliveryUncertain is final: it completes the message, a later receipt changes nothing, the status is read once', async (s) => {
      await createApp(s.store, 'app1');
      const notify = (_m: MessageRecord, r: { id: string }) => ({ ...notification(`dlr-${r.id}`, 'q-dlr'), kind: 'dlr' as const });
      await s.store.messages.accept(message('u1', 'app1'), [recipient('u1', 1), recipient('u1', 2)], []);
      await s.store.messages.accept(message('u2', 'app1'), [recipient('u2', 1)], []);
      const first = await s.store.messages.finalize({ recipientId: 'u1-1' }, 'DeliveryUncertain', T0 + 1, 60_000, notify);
      assert.deepEqual([first?.recipient.status, first?.messageFinal], ['DeliveryUncertain', false]);
      const last = await s.store.messages.finalize({ recipientId: 'u1-2' }, 'DeliveredToTerminal', T0 + 2, 60_000, notify);
      assert.deepEqual([last?.messageFinal, last?.message.statusExpiresAt], [true, T0 + 2 + 60_000], 'an uncertain recipient counts as final');
      const alone = await s.store.messages.finalize({ recipientId: 'u2-1' }, 'DeliveryUncertain', T0 + 3, 60_000, notify);
      assert.deepEqual([alone?.recipient.status, alone?.messageFinal], ['DeliveryUncertain', true]);
      for (const id of ['u1-1', 'u2-1']) assert.equal(await s.store.messages.finalize({ recipientId: id }, 'DeliveredToTerminal', T0 + 4, 60_000, notify), undefined, 'a late receipt');
      assert.deepEqual((await s.store.messages.readStatus('app1', 'u1', T0 + 5))?.recipients.map((r) => r.status), ['DeliveryUncertain', 'DeliveredToTerminal']);
      assert.equal(await s.store.messages.readStatus('app1', 'u1', T0 + 6), undefined, 'read once');
      const webhooks = await s.store.jobs.claim({ kinds: ['webhook'], workerId: 'w', limit: 20, leaseMs: LEASE, now: T0 + 100 });
      assert.deepEqual([...refs(webhooks)].sort(), ['dlr-u1-1', 'dlr-u1-2', 'dlr-u2-1'], 'one notification each');
    });

    it('messages: a single recipient finalized at once on several instances (a receipt and its repeats) turns final once, with one notification', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      assert.deepEqual(await s.store.messages.accept(message('m1', 'app1'), [recipient('m1', 1)], []), { created: true });
      const notify = (_m: unknown, r: { id: string }) => ({
        id: `dlr-${r.id}`,
        appId: 'app1',
        kind: 'dlr' as const,
        target: 'client' as const,
        shortCode: null,
        url: 'http://127.0.0.1:1/dr',
        contentType: 'application/json',
        body: '{}',
        createdAt: T0,
        queue: 'listener:http://127.0.0.1:1',
        deadlineAt: T0 + 60_000,
      });
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? s.store : other).messages.finalize({ recipientId: 'm1-1' }, 'DeliveredToTerminal', T0 + i, 60_000, notify)),
      );
      const done = results.filter((r) => r !== undefined);
      assert.equal(done.length, 1, 'the recipient turns final exactly once');
      assert.equal(done[0]?.messageFinal, true);
      assert.equal(typeof done[0]?.message.statusExpiresAt, 'number');
      const status = await other.messages.readStatus('app1', 'm1', T0 + 100);
      assert.equal(status?.recipients[0]?.status, 'DeliveredToTerminal');
      assert.equal(typeof status?.message.statusExpiresAt, 'number', 'the message expiry is stored');
      const webhooks = await s.store.jobs.claim({ kinds: ['webhook'], workerId: 'w', limit: 20, leaseMs: LEASE, now: T0 + 100 });
      assert.equal(webhooks.length, 1, 'one notification');
    });

    it('messages: a recipient read for its submit finalizes once with its network id, and not at all once another instance finalized it or its app went', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      const notify = (_m: unknown, r: { id: string }) => ({ ...notification(`dlr-${r.id}`, 'q-dlr'), kind: 'dlr' as const });
      for (const id of ['m1', 'm2', 'm3']) assert.deepEqual(await s.store.messages.accept(message(id, 'app1'), [recipient(id, 1)], []), { created: true });
      // Dispatch's read, then the submit, as the submit worker does them.
      for (const id of ['m1', 'm2', 'm3']) {
        assert.equal((await s.store.messages.recipient(`${id}-1`))?.recipient.status, 'Pending');
        await s.store.messages.markSubmitted(`${id}-1`, `net-${id}`, T0 + 1);
      }

      const first = await s.store.messages.finalize({ recipientId: 'm1-1' }, 'DeliveredToTerminal', T0 + 2, 60_000, notify);
      assert.equal(first?.recipient.networkId, 'net-m1');
      assert.equal(first?.recipient.status, 'DeliveredToTerminal');
      assert.equal(first?.message.id, 'm1');
      assert.equal(first?.messageFinal, true);
      assert.equal(await s.store.messages.finalize({ recipientId: 'm1-1' }, 'DeliveryImpossible', T0 + 3, 60_000, notify), undefined, 'a repeated receipt');

      // Another instance applies m2's receipt first: this one's finalize of it changes nothing.
      assert.equal((await other.messages.finalize({ recipientId: 'm2-1' }, 'DeliveryImpossible', T0 + 2, 60_000, notify))?.recipient.status, 'DeliveryImpossible');
      assert.equal(await s.store.messages.finalize({ recipientId: 'm2-1' }, 'DeliveredToTerminal', T0 + 3, 60_000, notify), undefined);
      assert.equal((await s.store.messages.readStatus('app1', 'm2', T0 + 4))?.recipients[0]?.status, 'DeliveryImpossible');

      const webhooks = await s.store.jobs.claim({ kinds: ['webhook'], workerId: 'w', limit: 20, leaseMs: LEASE, now: T0 + 100 });
      assert.equal(webhooks.length, 2, 'one notification each for m1 and m2, none for the stale finalize');

      // The app is deleted (its messages with it) while m3 is out with the network.
      assert.equal(await s.store.apps.delete('app1'), true);
      assert.equal(await s.store.messages.finalize({ recipientId: 'm3-1' }, 'DeliveredToTerminal', T0 + 3, 60_000, notify), undefined);
    });

    it('handsets: an MT repeated on several instances lands on the handset once; state is shared', async (s) => {
      const other = await s.another();
      const mt = { number: '+14255550100', direction: 'MT' as const, peer: '22627000', text: 'hi', encoding: 'GSM7', segments: 1, receivedAt: T0 };
      const added = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? s.store : other).handsets.deliverMt({ ...mt, ref: 'r-1' })));
      assert.equal(added.filter(Boolean).length, 1);
      assert.equal(await other.handsets.deliverMt({ ...mt, text: 'second', ref: 'r-2', receivedAt: T0 + 1 }), true);
      assert.deepEqual(
        (await s.store.handsets.messages('+14255550100', 'MT', { limit: 10 })).map((m) => [m.text, m.receivedAt]),
        [
          ['hi', T0],
          ['second', T0 + 1],
        ],
      );
      assert.deepEqual(await other.handsets.get('+14255550100'), { number: '+14255550100', online: true, kind: 'mobile' });
      await s.store.handsets.update('+14255550100', { online: false }, T0);
      assert.deepEqual(await other.handsets.get('+14255550100'), { number: '+14255550100', online: false, kind: 'mobile' });
    });

    it('handsets: messages whose times interleave (an MO timed before its hand-over, MTs meanwhile) all land, and page oldest first after an id', async (s) => {
      // Each change of time starts the id's counter again, so every message at T0 had counter 0 and
      // only 16 random bits apart: 2000 of them clashed (primary key) about 30 times over.
      const other = await s.another();
      const number = '+14255550111';
      const count = 2000;
      for (let i = 0; i < count; i++) {
        await (i % 4 < 2 ? s.store : other).handsets.recordMo({ number, direction: 'MO', peer: '22627000', text: `m${i}`, encoding: 'GSM7', segments: 1, receivedAt: T0 + (i % 2) });
      }
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await s.store.handsets.messages(number, 'MO', { after, limit: 700 });
        if (page.length === 0) break;
        pages.push(page.map((m) => m.id));
        after = page.at(-1)?.id;
      }
      assert.deepEqual(pages.map((p) => p.length), [700, 700, 600]);
      const ids = pages.flat();
      assert.equal(new Set(ids).size, count);
      assert.deepEqual(ids, [...ids].sort(), 'each page after the one before, in id order');
      const times = (await s.store.handsets.messages(number, 'MO', { limit: count })).map((m) => m.receivedAt);
      assert.deepEqual(times, [...Array<number>(count / 2).fill(T0), ...Array<number>(count / 2).fill(T0 + 1)], 'oldest first');
    });

    it('retention: handset messages and unrouted MO received before a time are deleted in bounded batches, newer ones kept', async (s) => {
      for (let i = 0; i < 5; i++) {
        await s.store.handsets.recordMo({ number: '+14255550100', direction: 'MO', peer: '22627999', text: `mo${i}`, encoding: 'GSM7', segments: 1, receivedAt: T0 + i });
        await s.store.inbox.record({ id: `MOu${i}`, from: '+14255550100', to: '22627999', text: `u${i}`, receivedAt: T0 + i }, { kind: 'unrouted', reason: 'unknown-short-code' });
      }
      assert.equal(await s.store.handsets.sweepMessages(T0 + 3, 2), 2);
      assert.equal(await s.store.handsets.sweepMessages(T0 + 3, 2), 1);
      assert.equal(await s.store.handsets.sweepMessages(T0 + 3, 2), 0);
      assert.deepEqual((await s.store.handsets.messages('+14255550100', 'MO', { limit: 10 })).map((m) => m.text), ['mo3', 'mo4']);
      assert.equal(await s.store.inbox.sweepUnrouted(T0 + 3, 10), 3);
      assert.deepEqual((await s.store.inbox.unrouted(10)).map((u) => u.text), ['u4', 'u3']);
    });

    it('inbox: parts of one long MO stored at once on several instances complete it exactly once', async (s) => {
      const other = await s.another();
      const total = 4;
      const part = (seq: number) => moPart(7, total, seq, `part${seq} `, T0 + seq);
      // Every part twice (a network repeating itself), spread over both instances.
      const outcomes = await Promise.all(
        [1, 2, 3, 4, 4, 3, 2, 1].map((seq, i) => (i % 2 === 0 ? s.store : other).inbox.addPart(part(seq), T0 + 60_000, partsToUnrouted('MO-long'))),
      );
      const complete = outcomes.filter((o) => o.state === 'complete');
      assert.equal(complete.length, 1, JSON.stringify(outcomes));
      assert.equal(outcomes.filter((o) => o.state === 'duplicate').length, total);
      const unrouted = await other.inbox.unrouted(10);
      assert.deepEqual(unrouted.map((u) => [u.id, u.text]), [['MO-long', 'part1 part2 part3 part4 ']]);
    });

    it('inbox: a new long MO reusing a reference is assembled even where a part equals the last message\'s; the network sending that message again makes nothing', async ({ store }) => {
      const header = 'WEATHER STATION 17 REPORT: ';
      const add = (seq: number, text: string, at: number, id = 'MO-x') => store.inbox.addPart(moPart(200, 2, seq, text, at), at + 60_000, partsToUnrouted(id));
      assert.equal((await add(1, header, T0)).state, 'waiting');
      assert.equal((await add(2, 'temp 21C', T0 + 1, 'MO-first')).state, 'complete');
      // Its deliver_sm_resp lost, the network sends it all again: no second message.
      assert.equal((await add(2, 'temp 21C', T0 + 2)).state, 'duplicate');
      assert.equal((await add(1, header, T0 + 3)).state, 'duplicate');
      // The handset's 8-bit counter came round (or the SMSC restarted it) within the window.
      assert.equal((await add(1, header, T0 + 4)).state, 'duplicate', 'as far as anyone can tell yet');
      assert.equal((await add(2, 'temp 22C', T0 + 5, 'MO-second')).state, 'complete');
      // A lone repeat of an assembled part times out silently: not an incomplete message.
      assert.equal((await add(1, header, T0 + 6)).state, 'duplicate');
      assert.equal(await expireAllParts(store, T0 + 120_000), 0);
      assert.deepEqual(
        (await store.inbox.unrouted(10)).map((u) => [u.id, u.text, u.reason]).sort(),
        [
          ['MO-first', `${header}temp 21C`, 'unknown-short-code'],
          ['MO-second', `${header}temp 22C`, 'unknown-short-code'],
        ],
      );
    });

    it('inbox: a part with other bytes under a stored part\'s number starts a new message; the set it displaces goes to unrouted as incomplete', async (s) => {
      const other = await s.another();
      const add = (store: Store, ref: number, seq: number, text: string, at: number, id: string) => store.inbox.addPart(moPart(ref, 3, seq, text, at), at + 60_000, partsToUnrouted(id));
      // The new message's first part equals the old one's, its second does not.
      assert.equal((await add(s.store, 9, 1, 'Dear customer, ', T0, 'MO-a')).state, 'waiting');
      assert.equal((await add(other, 9, 2, 'your parcel ', T0 + 1, 'MO-a')).state, 'waiting');
      assert.equal((await add(s.store, 9, 1, 'Dear customer, ', T0 + 10, 'MO-b')).state, 'duplicate');
      assert.equal((await add(other, 9, 2, 'your invoice ', T0 + 11, 'MO-a-incomplete')).state, 'waiting');
      assert.equal((await add(s.store, 9, 3, 'is ready.', T0 + 12, 'MO-b')).state, 'complete');
      // Every part differs.
      assert.equal((await add(other, 10, 1, 'Old ', T0 + 20, 'MO-c')).state, 'waiting');
      assert.equal((await add(s.store, 10, 1, 'New ', T0 + 21, 'MO-c-incomplete')).state, 'waiting');
      assert.equal((await add(other, 10, 3, 'three.', T0 + 22, 'MO-d')).state, 'waiting');
      assert.equal((await add(s.store, 10, 2, 'message in ', T0 + 23, 'MO-d')).state, 'complete');
      assert.equal(await expireAllParts(other, T0 + 120_000), 0, 'nothing left behind');
      assert.deepEqual(
        (await s.store.inbox.unrouted(10)).map((u) => [u.id, u.text, u.reason]).sort(),
        [
          ['MO-a-incomplete', 'Dear customer, your parcel ', 'incomplete'],
          ['MO-b', 'Dear customer, your invoice is ready.', 'unknown-short-code'],
          ['MO-c-incomplete', 'Old ', 'incomplete'],
          ['MO-d', 'New message in three.', 'unknown-short-code'],
        ],
      );
    });

    it('inbox: concurrent MO of every disposition each land where routed; concurrent short code and subscription reads each get their own', async (s) => {
      await createApp(s.store, 'app1');
      // Many at once: on PostgreSQL they share statements (see coalesce.ts), which must not mix them up.
      const codes = ['22627000', '22627001', '22627002'];
      for (const code of codes.slice(0, 2)) {
        assert.equal(await s.store.shortCodes.claim({ code, appId: 'app1', moDelivery: 'poll', listenerUrl: null, createdAt: T0 }), true);
      }
      await s.store.subscriptions.create(inboundSubscription('sub-a', 'app1', '22627001', 'join', T0));
      await s.store.subscriptions.create(inboundSubscription('sub-b', 'app1', '22627001', null, T0 + 1));
      const [gotCodes, gotSubs] = await Promise.all([
        Promise.all([...codes, '22627000'].map((c) => s.store.shortCodes.get(c))),
        Promise.all([...codes, '22627001'].map((c) => s.store.subscriptions.inboundFor(c, ['join']))),
      ]);
      assert.deepEqual(gotCodes.map((c) => c?.code), ['22627000', '22627001', undefined, '22627000']);
      assert.deepEqual(gotSubs.map((list) => list.map((x) => x.id)), [[], ['sub-b', 'sub-a'], [], ['sub-b', 'sub-a']], 'newest first');

      const mo = (i: number) => ({ id: `MOc${String(i).padStart(3, '0')}`, from: '+14255550100', to: '22627000', text: `c${i}`, receivedAt: T0 + i });
      const recorded = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          s.store.inbox.record(
            mo(i),
            i % 3 === 0
              ? { kind: 'inbox', appId: 'app1', expiresAt: T0 + 60_000 }
              : i % 3 === 1
                ? { kind: 'notify', notification: notification(`n-mo-${i}`, 'q-mo') }
                : { kind: 'unrouted', reason: 'unknown-short-code' },
          ),
        ),
      );
      assert.ok(recorded.every(Boolean));
      const { messages } = await s.store.inbox.take('app1', '22627000', 100, T0 + 100);
      assert.deepEqual(messages.map((m) => m.text), Array.from({ length: 8 }, (_, k) => `c${k * 3}`));
      const jobs = await s.store.jobs.claim({ kinds: ['webhook'], workerId: 'w', limit: 100, leaseMs: LEASE, now: T0 + 100 });
      assert.deepEqual([...refs(jobs)].sort(), Array.from({ length: 8 }, (_, k) => `n-mo-${k * 3 + 1}`).sort());
      assert.equal((await s.store.notifications.get('n-mo-1'))?.notification.id, 'n-mo-1');
      assert.deepEqual((await s.store.inbox.unrouted(100)).map((u) => u.text).sort(), Array.from({ length: 8 }, (_, k) => `c${k * 3 + 2}`).sort());
    });

    it('subscriptions: routing reads the owner\'s newest subscription for the keyword and its newest catch-all, however many the short code has', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      await createApp(s.store, 'app2');
      // A previous owner's subscriptions stay behind when it lets the short code go.
      assert.equal(await s.store.shortCodes.claim({ code: '22627000', appId: 'app2', moDelivery: 'poll', listenerUrl: null, createdAt: T0 }), true);
      await s.store.subscriptions.create(inboundSubscription('old-owner-all', 'app2', '22627000', null, T0 + 900));
      await s.store.subscriptions.create(inboundSubscription('old-owner-stop', 'app2', '22627000', 'STOP', T0 + 901));
      assert.equal(await s.store.shortCodes.remove('app2', '22627000'), true);
      assert.equal(await s.store.shortCodes.claim({ code: '22627000', appId: 'app1', moDelivery: 'poll', listenerUrl: null, createdAt: T0 }), true);
      for (let i = 0; i < 150; i++) await other.subscriptions.create(inboundSubscription(`kw${i}`, 'app1', '22627000', `KW${i}`, T0 + 10 + i));
      await s.store.subscriptions.create(inboundSubscription('all-old', 'app1', '22627000', null, T0));
      await s.store.subscriptions.create(inboundSubscription('all', 'app1', '22627000', null, T0 + 500));
      await s.store.subscriptions.create(inboundSubscription('kw5-again', 'app1', '22627000', 'Kw5', T0 + 600));
      await s.store.subscriptions.create(inboundSubscription('stop', 'app1', '22627000', 'STOP', T0 + 1));
      await s.store.subscriptions.create(inboundSubscription('stop!', 'app1', '22627000', 'Stop!', T0 + 3));
      await s.store.subscriptions.create(inboundSubscription('summer', 'app1', '22627000', 'ÉTÉ', T0 + 2));
      await s.store.subscriptions.create({ ...inboundSubscription('receipts', 'app1', '22627000', null, T0 + 700), kind: 'delivery-receipt' });
      // At once, so that PostgreSQL reads them in one statement.
      const found = await Promise.all(
        [['kw0'], ['kw149'], ['kw5'], ['stop!', 'stop'], ['été'], ['nothing'], ['x']].map((keywords, i) =>
          (i % 2 === 0 ? s.store : other).subscriptions.inboundFor(i === 6 ? '22627999' : '22627000', keywords),
        ),
      );
      assert.deepEqual(
        found.map((list) => list.map((x) => x.id)),
        [['all', 'kw0'], ['all', 'kw149'], ['kw5-again', 'all'], ['all', 'stop!'], ['all', 'summer'], ['all'], []],
      );
    });

    it('inbox: concurrent polls on several instances hand every message out once, oldest first', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      for (let i = 0; i < 30; i += 1) {
        const mo = { id: `MO${String(i).padStart(4, '0')}`, from: '+14255550100', to: '22627000', text: `m${i}`, receivedAt: T0 + i };
        assert.equal(await s.store.inbox.record(mo, { kind: 'inbox', appId: 'app1', expiresAt: T0 + 60_000 }), true);
      }
      const taken: string[][] = [];
      await Promise.all(
        [s.store, other, s.store, other].map(async (store) => {
          for (;;) {
            const { messages } = await store.inbox.take('app1', '22627000', 4, T0 + 100);
            if (messages.length === 0) return;
            taken.push(messages.map((m) => m.text));
          }
        }),
      );
      const all = taken.flat();
      assert.equal(all.length, 30);
      assert.equal(new Set(all).size, 30);
      for (const batch of taken) {
        const order = batch.map((t) => Number(t.slice(1)));
        assert.deepEqual(order, [...order].sort((x, y) => x - y), 'each batch oldest first');
      }
      assert.deepEqual(await s.store.inbox.take('app1', '22627000', 4, T0 + 100), { messages: [], pending: 0 });
    });

    it('notifications: a notification created twice at once is stored once; listener claims are exactly once', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      const twice = await Promise.all([s.store, other, s.store, other].map((store) => store.notifications.create(notification('n-dup', 'q0'))));
      assert.equal(twice.filter(Boolean).length, 1);
      for (let i = 0; i < 45; i += 1) await (i % 2 === 0 ? s.store : other).notifications.create(notification(`n${i}`, `q${i % 3}`));
      const claimed = new Map<string, string>();
      await Promise.all(
        [s.store, other, s.store, other].map(async (store, w) => {
          for (;;) {
            const jobs = await store.notifications.claimForListeners({ kinds: ['webhook'], workerId: `w${w}`, limit: 5, leaseMs: LEASE, now: T0, freeSlots: () => 2 });
            if (jobs.length === 0) return;
            for (const j of jobs) {
              assert.equal(claimed.get(j.id), undefined, `${j.ref} claimed twice`);
              claimed.set(j.id, `w${w}`);
              assert.equal(await store.jobs.complete(j.id, `w${w}`), true);
            }
          }
        }),
      );
      assert.equal(claimed.size, 46);
    });

    it('notifications: a listener claim looks past a busy listener’s backlog for other listeners’ jobs unless told not to', async ({ store }) => {
      await createApp(store, 'app1');
      for (let i = 0; i < 6; i += 1) await store.notifications.create({ ...notification(`busy${i}`, 'listener:busy'), createdAt: T0 + i });
      await store.notifications.create({ ...notification('other', 'listener:other'), createdAt: T0 + 10 });
      const claim = (lookPastBusy: boolean) =>
        store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w1', limit: 2, leaseMs: LEASE, now: T0 + 20, freeSlots: (q) => (q === 'listener:busy' ? 0 : 2), lookPastBusy });
      assert.deepEqual(await claim(false), [], 'the head holds only the busy listener’s jobs');
      assert.deepEqual((await claim(true)).map((j) => j.ref), ['other']);
    });

    it('notifications: a listener claim reads on past a page taken whole, and past a long busy backlog when it looks past', async ({ store }) => {
      await createApp(store, 'app1');
      for (let i = 0; i < 40; i += 1) await store.notifications.create({ ...notification(`free${i}`, `listener:l${i}`), createdAt: T0 + i });
      const free = await store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w1', limit: 30, leaseMs: LEASE, now: T0 + 50, freeSlots: () => 1, lookPastBusy: false });
      assert.deepEqual(
        free.map((j) => j.ref),
        Array.from({ length: 30 }, (_, i) => `free${i}`),
        'thirty listeners with a free slot each: thirty jobs, oldest first',
      );
      for (let i = 0; i < 40; i += 1) await store.notifications.create({ ...notification(`busy${i}`, 'listener:busy'), createdAt: T0 + 100 + i });
      await store.notifications.create({ ...notification('late', 'listener:late'), createdAt: T0 + 200 });
      const past = await store.notifications.claimForListeners({
        kinds: ['webhook'],
        workerId: 'w1',
        limit: 30,
        leaseMs: LEASE,
        now: T0 + 300,
        freeSlots: (q) => (q === 'listener:busy' ? 1 : 2),
        lookPastBusy: true,
      });
      assert.deepEqual(past.map((j) => j.ref).sort(), ['busy0', 'free30', 'free31', 'free32', 'free33', 'free34', 'free35', 'free36', 'free37', 'free38', 'free39', 'late']);
    });

    it('notifications: looking past busy listeners, a claim reaches every other listener’s oldest jobs, however many backlogs are due before them', async ({ store }) => {
      await createApp(store, 'app1');
      let at = T0;
      const add = (id: string, queue: string) => store.notifications.create({ ...notification(id, queue), createdAt: (at += 1) });
      // Six busy listeners' backlogs of 20 each, due first; 'quick' has a job among them, 'x' and 'y' after them.
      for (let b = 0; b < 6; b += 1) {
        for (let i = 0; i < 20; i += 1) await add(`busy${b}-${i}`, `listener:busy${b}`);
        if (b === 1) await add('quick0', 'listener:quick');
      }
      for (let i = 0; i < 3; i += 1) for (const q of ['x', 'y', 'quick']) await add(`${q}${i + 1}`, `listener:${q}`);
      await store.notifications.create({ ...notification('future', 'listener:z'), createdAt: at + 1 });
      const claim = (limit: number, now: number) =>
        store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w1', limit, leaseMs: LEASE, now, freeSlots: (q) => (q.startsWith('listener:busy') ? 0 : 2) });
      assert.deepEqual((await claim(5, at)).map((j) => j.ref), ['quick0', 'x1', 'y1', 'quick1', 'x2'], 'oldest first, two per listener');
      assert.deepEqual((await claim(10, at)).map((j) => j.ref), ['y2', 'quick2', 'x3', 'y3', 'quick3']);
      assert.deepEqual(await claim(10, at), []);
    });

    it('notifications: an acknowledgement deletes the notification and its job together, only for the job’s holder', async (s) => {
      const other = await s.another();
      await createApp(s.store, 'app1');
      await s.store.notifications.create(notification('n-ack', 'q0'));
      const [job] = await s.store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w1', limit: 5, leaseMs: LEASE, now: T0, freeSlots: () => 2 });
      assert.ok(job);
      assert.equal(await other.notifications.acknowledge(job.id, 'w2'), false, 'not the holder');
      assert.ok(await s.store.notifications.get('n-ack'), 'nothing deleted for someone else');
      assert.equal(await other.notifications.acknowledge(job.id, 'w1'), true);
      assert.equal(await s.store.notifications.get('n-ack'), undefined);
      assert.equal(await s.store.jobs.complete(job.id, 'w1'), false, 'the job went with it');
    });
  });
}

/** Part `seq` of `total` of a long MO from +14255550100 to 22627000 under concatenation reference `ref` (Latin-1). */
function moPart(ref: number, total: number, seq: number, text: string, receivedAt: number): MoPartRecord {
  return { source: '+14255550100', destination: '22627000', reference: ref, total, seq, payload: Buffer.from(text, 'latin1'), dataCoding: 3, receivedAt };
}

/** Makes a part set message `id` and routes it to the unrouted table, where the test reads it back. */
function partsToUnrouted(id: string): PartSetHandler {
  return {
    message: (parts) => ({ id, from: '+14255550100', to: '22627000', text: parts.map((p) => Buffer.from(p.payload).toString('latin1')).join(''), receivedAt: T0 }),
    keywords: () => ['none'],
    route: () => ({ kind: 'unrouted', reason: 'unknown-short-code' }),
  };
}

/** Expires every part set older than `before` as the inbound sweep does; how many went to unrouted. */
async function expireAllParts(store: Pick<Store, 'inbox'>, before: number): Promise<number> {
  let moved = 0;
  for (const set of await store.inbox.expiredPartSets(before, 1000)) if (await store.inbox.expirePartSet(set, () => 'never asked', () => 'MO-never')) moved++;
  return moved;
}

/** An inbound subscription with `criteria` (null: every message). */
function inboundSubscription(id: string, appId: string, shortCode: string, criteria: string | null, createdAt: number): SubscriptionRecord {
  return {
    id, appId, kind: 'inbound', shortCode, notifyUrl: 'http://127.0.0.1:9/in', callbackData: null, criteria,
    format: 'JSON', clientCorrelator: null, apiVersion: 'v1', createdAt,
  };
}

/** The secret hash of every createApp app. */
export const SECRET_HASH = 'scrypt$1$1$1$salt$hash';

/** A minimal app row, for repositories whose rows belong to an app. */
export async function createApp(store: Pick<Store, 'apps'>, id: string): Promise<void> {
  await store.apps.create({
    id,
    name: id,
    appKey: `key-${id}`,
    secretHash: SECRET_HASH,
    scopes: ['SMS'],
    realm: 'sandbox',
    suspended: false,
    deliveryStatusUrl: null,
    signingSecret: 'signing',
    ratePerSecond: null,
    ratePerDay: null,
    createdAt: T0,
    updatedAt: T0,
  });
}

export function message(id: string, appId: string, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id,
    appId,
    api: 'att-v3',
    sender: '22627000',
    text: 'hello',
    encoding: 'GSM7',
    segments: 1,
    notifyMode: 'none',
    notifyUrl: null,
    callbackData: null,
    createdAt: T0,
    statusExpiresAt: null,
    statusConsumed: false,
    oneapiRequest: null,
    ...extra,
  };
}

/** A send's idempotency keys (none unless given) with the answer it got. */
export function idempotent(messageId: string, appId: string, extra: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    messageId,
    appId,
    idempotencyKey: null,
    clientCorrelator: null,
    requestHash: `hash of ${messageId}`,
    response: { status: 201, location: null, body: { outboundSMSResponse: { messageId } } },
    expiresAt: T0 + 86_400_000,
    ...extra,
  };
}

export function recipient(messageId: string, seq: number): RecipientRecord {
  return {
    id: `${messageId}-${seq}`,
    messageId,
    seq,
    addressOriginal: `tel:+1425555${String(seq).padStart(4, '0')}`,
    e164: `+1425555${String(seq).padStart(4, '0')}`,
    status: 'Pending',
    networkId: null,
    finalAt: null,
    updatedAt: T0,
  };
}

/** A live token of app1 with the SMS scope. */
export function token(hash: string, kind: TokenRecord['kind'], parentHash: string | null = null): TokenRecord {
  return { hash, appId: 'app1', kind, parentHash, scopes: ['SMS'], expiresAt: DEADLINE, revokedAt: null, createdAt: T0 };
}

/** A listener notification of app1, due at T0 (its webhook job's queue as given). */
export function notification(id: string, queue: string): NewNotification {
  return {
    id,
    appId: 'app1',
    kind: 'mo',
    target: 'listener',
    shortCode: '22627000',
    url: 'http://127.0.0.1:9/listener',
    contentType: 'application/json',
    body: '{}',
    createdAt: T0,
    queue,
    deadlineAt: DEADLINE,
  };
}
