import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../src/clock.js';
import { JobRunner, runnerErrors, type JobHandler, type JobOutcome } from '../../src/dispatch/runner.js';
import type { Job, JobRepo } from '../../src/store/repos/jobs.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';
import { withSqliteStore as withStore } from '../helpers/sqlite.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

class ScriptedHandler implements JobHandler {
  readonly kind = 'test';
  readonly runs = new Map<string, number>();
  readonly exhaustedRefs: string[] = [];
  constructor(private readonly script: (job: Job, run: number) => JobOutcome) {}
  async run(job: Job): Promise<JobOutcome> {
    const n = (this.runs.get(job.ref) ?? 0) + 1;
    this.runs.set(job.ref, n);
    return this.script(job, n);
  }
  async exhausted(job: Job): Promise<'bury' | 'drop'> {
    this.exhaustedRefs.push(job.ref);
    return job.ref.startsWith('bury') ? 'bury' : 'drop';
  }
}

const clock: Clock = { now: () => Date.now() };

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('jobs succeed once, retries follow the schedule, permanent failures and window ends are exhausted', async () => {
  await withStore(async (store) => {
    const now = Date.now();
    await store.jobs.enqueue([
      { kind: 'test', ref: 'ok', runAt: now, deadlineAt: now + 60_000 },
      { kind: 'test', ref: 'flaky', runAt: now, deadlineAt: now + 60_000 },
      { kind: 'test', ref: 'bury-permanent', runAt: now, deadlineAt: now + 60_000 },
      // 1 s: with 150 ms a loaded CI machine claimed it first after its window and it ran once.
      { kind: 'test', ref: 'window', runAt: now, deadlineAt: now + 1000 },
    ]);
    const handler = new ScriptedHandler((job, run) => {
      if (job.ref === 'ok') return { ok: true };
      if (job.ref === 'flaky') return run < 3 ? { ok: false, retry: true, error: `fail ${run}` } : { ok: true };
      if (job.ref === 'bury-permanent') return { ok: false, retry: false, error: 'refused' };
      return { ok: false, retry: true, error: 'down' };
    });
    const runner = new JobRunner({
      jobs: store.jobs, clock, workerId: 'w1', handlers: [handler], concurrency: 4, idlePollMs: 10,
      schedule: (_attempt, t) => t + 20,
    });
    runner.start();
    await until(() => handler.exhaustedRefs.length === 2 && handler.runs.get('flaky') === 3);
    await runner.stop();
    assert.equal(handler.runs.get('ok'), 1);
    assert.equal(handler.runs.get('flaky'), 3);
    assert.equal(handler.runs.get('bury-permanent'), 1);
    assert.ok((handler.runs.get('window') ?? 0) >= 2);
    assert.deepEqual([...handler.exhaustedRefs].sort(), ['bury-permanent', 'window']);
    // Done and dropped jobs are gone; the buried one stays, dead, with its error.
    const backlog = await store.jobs.backlog(Date.now());
    assert.equal(backlog.ready, 0);
  });
});

test('an expired lease is claimed again; the old holder can no longer ack', async () => {
  await withStore(async (store) => {
    const now = Date.now();
    await store.jobs.enqueue([{ kind: 'test', ref: 'a', runAt: now, deadlineAt: now + 60_000 }]);
    const [first] = await store.jobs.claim({ kinds: ['test'], workerId: 'dead-worker', limit: 10, leaseMs: 50, now });
    assert.ok(first);
    assert.deepEqual(await store.jobs.claim({ kinds: ['test'], workerId: 'w2', limit: 10, leaseMs: 50, now: now + 10 }), []);
    const [again] = await store.jobs.claim({ kinds: ['test'], workerId: 'w2', limit: 10, leaseMs: 50, now: now + 60 });
    assert.equal(again?.id, first.id);
    assert.equal(again?.attempts, 2);
    assert.equal(await store.jobs.complete(first.id, 'dead-worker'), false);
    assert.equal(await store.jobs.complete(first.id, 'w2'), true);
  });
});

test('a large backlog streams through in bounded claims', async () => {
  await withStore(async (store) => {
    const now = Date.now();
    await store.jobs.enqueue(Array.from({ length: 2000 }, (_, i) => ({ kind: 'test', ref: `j${i}`, runAt: now, deadlineAt: now + 60_000 })));
    let inFlight = 0;
    let peak = 0;
    const handler = new ScriptedHandler(() => ({ ok: true }));
    const run = handler.run.bind(handler);
    handler.run = async (job) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return run(job);
    };
    const runner = new JobRunner({ jobs: store.jobs, clock, workerId: 'w', handlers: [handler], concurrency: 8, schedule: (_a, t) => t + 1 });
    runner.start();
    await until(() => handler.runs.size === 2000, 120_000);
    await runner.stop();
    assert.ok(peak <= 8, `peak in flight ${peak}`);
    assert.equal((await store.jobs.backlog(Date.now())).ready, 0);
  });
});

test('wakeAll makes every waiting job of a kind due now, and only that kind', async () => {
  await withStore(async (store) => {
    const now = Date.now();
    await store.jobs.enqueue([
      { kind: 'test', ref: 'later-1', runAt: now + 600_000, deadlineAt: now + 900_000 },
      { kind: 'test', ref: 'later-2', runAt: now + 60_000, deadlineAt: now + 900_000 },
      { kind: 'other', ref: 'later-3', runAt: now + 60_000, deadlineAt: now + 900_000 },
    ]);
    assert.deepEqual(await store.jobs.claim({ kinds: ['test', 'other'], workerId: 'w', limit: 10, leaseMs: 1000, now }), []);
    assert.equal(await store.jobs.wakeAll('test', now), 2);
    const claimed = await store.jobs.claim({ kinds: ['test', 'other'], workerId: 'w', limit: 10, leaseMs: 1000, now });
    assert.deepEqual(claimed.map((j) => j.ref).sort(), ['later-1', 'later-2']);
  });
});

test('a handler that deletes its own job in the write recording its result (acked) is completed, not lost', async () => {
  await withStore(async (store) => {
    const now = Date.now();
    await store.jobs.enqueue([
      { kind: 'test', ref: 'self-acked', runAt: now, deadlineAt: now + 60_000 },
      { kind: 'test', ref: 'lost-lease', runAt: now, deadlineAt: now + 60_000 },
    ]);
    const handler: JobHandler = {
      kind: 'test',
      async run(job, lease) {
        // 'lost-lease' tries to ack as someone else: its ack fails, so the runner deletes the job.
        const acked = await store.jobs.complete(job.id, job.ref === 'self-acked' ? lease.workerId : 'someone-else');
        return { ok: true, acked };
      },
      exhausted: async () => 'drop',
    };
    const runner = new JobRunner({ jobs: store.jobs, clock, workerId: 'w1', handlers: [handler], concurrency: 4, idlePollMs: 10, schedule: (_a, t) => t + 20 });
    const completed: string[] = [];
    const lost: string[] = [];
    runner.on('job:completed', (job) => completed.push(job.ref));
    runner.on('job:lost', (job) => lost.push(job.ref));
    runner.start();
    await until(() => completed.length === 2);
    await runner.stop();
    assert.deepEqual(completed.sort(), ['lost-lease', 'self-acked']);
    assert.deepEqual(lost, []);
    assert.equal((await store.jobs.backlog(Date.now() + 1)).ready, 0, 'both jobs are gone');
  });
});

test('an attempt the store could not record is recorded once the store is back, not a lease later', { skip: (await postgresReachable()) ? false : 'no PostgreSQL server' }, async (t) => {
  const database = await createTestDatabase();
  const target = new URL(database.url);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const url = new URL(database.url);
  url.port = String(proxy.port);
  const store = await openPostgresStore({ url: url.toString(), poolSize: 4, connectRetryMs: 200 });
  t.after(async () => {
    await proxy.restore().catch(() => undefined);
    await store.close();
    await proxy.close();
    await database.drop();
  });
  await store.migrate();
  const now = Date.now();
  await store.jobs.enqueue([
    { kind: 'test', ref: 'done-in-outage', runAt: now, deadlineAt: now + 60_000 },
    { kind: 'test', ref: 'failed-in-outage', runAt: now, deadlineAt: now + 60_000 },
  ]);
  // Both attempts end while the database is away: the ack and the retry cannot be written.
  let started = 0;
  let release: () => void = () => undefined;
  const bothStarted = new Promise<void>((resolve) => (release = resolve));
  const handler = new ScriptedHandler((job, run) => (job.ref === 'done-in-outage' || run > 1 ? { ok: true } : { ok: false, retry: true, error: 'refused' }));
  const run = handler.run.bind(handler);
  handler.run = async (job) => {
    if (++started === 2) release();
    await bothStarted;
    if (started === 2) {
      started++;
      await proxy.cut();
    }
    return run(job);
  };
  const runner = new JobRunner({ jobs: store.jobs, clock, workerId: 'w1', handlers: [handler], concurrency: 4, idlePollMs: 50, leaseMs: 60_000, schedule: (_a, at) => at + 20 });
  const completed: string[] = [];
  const errors: Error[] = [];
  runner.on('job:completed', (job) => completed.push(job.ref));
  runner.on('error', (err) => errors.push(err));
  runner.start();
  await until(() => errors.length >= 2);
  assert.ok(errors.every((err) => err instanceof StoreUnavailableError), errors.map(String).join('; '));
  await proxy.restore();
  // Within the lease (a minute): the ack is written and the retry runs.
  await until(() => completed.length === 2, 10_000);
  await runner.stop();
  assert.deepEqual(completed.sort(), ['done-in-outage', 'failed-in-outage']);
  assert.equal(handler.runs.get('done-in-outage'), 1);
  assert.equal(handler.runs.get('failed-in-outage'), 2);
  assert.deepEqual(await store.jobs.claim({ kinds: ['test'], workerId: 'w2', limit: 10, leaseMs: 1000, now: Date.now() + 120_000 }), [], 'no job is left');
});

test('a poke that comes while a claim is under way is not lost: the new job runs without waiting for the poll', async () => {
  await withStore(async (store) => {
    // The first claim is held open until the job is committed and the runner poked, as when a
    // claim's round trips to PostgreSQL overlap an accept on another connection.
    let claimStarted: () => void = () => undefined;
    const started = new Promise<void>((r) => (claimStarted = r));
    let releaseClaim: () => void = () => undefined;
    const released = new Promise<void>((r) => (releaseClaim = r));
    let claims = 0;
    const real = store.jobs;
    const jobs: JobRepo = {
      claim: async (options) => {
        claims += 1;
        if (claims > 1) return real.claim(options);
        claimStarted();
        await released;
        return [];
      },
      enqueue: (j) => real.enqueue(j),
      complete: (id, w) => real.complete(id, w),
      renew: (ids, w, heldUntil, until) => real.renew(ids, w, heldUntil, until),
      reschedule: (id, w, runAt, error) => real.reschedule(id, w, runAt, error),
      bury: (id, w, error) => real.bury(id, w, error),
      wake: (kind, refs, now) => real.wake(kind, refs, now),
      wakeAll: (kind, now) => real.wakeAll(kind, now),
      backlog: (now) => real.backlog(now),
    };
    const handler = new ScriptedHandler(() => ({ ok: true }));
    // A poll far longer than the test waits: only the poke can get the job run in time.
    const runner = new JobRunner({ jobs, clock, workerId: 'w1', handlers: [handler], concurrency: 4, idlePollMs: 60_000, schedule: (_a, t) => t + 20 });
    runner.start();
    await started;
    const now = Date.now();
    await store.jobs.enqueue([{ kind: 'test', ref: 'late', runAt: now, deadlineAt: now + 60_000 }]);
    runner.poke();
    releaseClaim();
    await until(() => handler.runs.get('late') === 1, 2000);
    await runner.stop();
  });
});

test('while work that goes first is waiting, a claim round waits first, pokes do not cut it short, and stop does', async () => {
  await withStore(async (store) => {
    const handler = new ScriptedHandler(() => ({ ok: true }));
    const busy = { busy: () => true };
    // A wait far longer than the test: only stop() may end it.
    const runner = new JobRunner({ jobs: store.jobs, clock, workerId: 'w1', handlers: [handler], concurrency: 4, idlePollMs: 60_000, schedule: (_a, t) => t + 20, foreground: busy, yieldMs: 60_000 });
    runner.start();
    const now = Date.now();
    await store.jobs.enqueue([{ kind: 'test', ref: 'held', runAt: now, deadlineAt: now + 60_000 }]);
    runner.poke();
    await new Promise((r) => setTimeout(r, 300));
    runner.poke();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(handler.runs.get('held'), undefined, 'not claimed while the foreground is busy');
    const stopping = Date.now();
    await runner.stop();
    assert.ok(Date.now() - stopping < 5000, 'stop ends the wait');
    assert.equal(handler.runs.get('held'), undefined, 'a stopped runner claims nothing more');

    // Nothing waiting in front: the same wait never starts.
    const idle = new JobRunner({ jobs: store.jobs, clock, workerId: 'w2', handlers: [handler], concurrency: 4, idlePollMs: 60_000, schedule: (_a, t) => t + 20, foreground: { busy: () => false }, yieldMs: 60_000 });
    idle.start();
    await until(() => handler.runs.get('held') === 1, 5000);
    await idle.stop();
  });
});

test('work in front that never ends slows the jobs to a batch per wait but cannot stop them', async () => {
  await withStore(async (store) => {
    const now = Date.now();
    await store.jobs.enqueue(Array.from({ length: 20 }, (_, i) => ({ kind: 'test', ref: `j${i}`, runAt: now, deadlineAt: now + 60_000 })));
    const handler = new ScriptedHandler(() => ({ ok: true }));
    const claims: number[] = [];
    const runner = new JobRunner({ jobs: store.jobs, clock, workerId: 'w', handlers: [handler], concurrency: 4, idlePollMs: 10, schedule: (_a, t) => t + 20, foreground: { busy: () => true }, yieldMs: 100 });
    runner.on('job:claimed', () => claims.push(Date.now()));
    const start = Date.now();
    runner.start();
    await until(() => handler.runs.size === 20, 30_000);
    await runner.stop();
    // 20 jobs, 4 per claim: five claim rounds, each after a wait of 100 ms.
    assert.ok(Date.now() - start >= 450, `done after ${Date.now() - start} ms`);
    assert.ok((claims[0] ?? 0) - start >= 90, 'the first claim came after a wait');
    assert.equal((await store.jobs.backlog(Date.now())).ready, 0);
  });
});

test('runnerErrors: a store outage is a warning without a stack, anything else an error with it', () => {
  const lines: Array<[string, object, string]> = [];
  const log = { warn: (obj: object, msg: string) => lines.push(['warn', obj, msg]), error: (obj: object, msg: string) => lines.push(['error', obj, msg]) };
  const told = runnerErrors(log, 'dispatch runner error');
  told(new StoreUnavailableError('database unreachable: ECONNREFUSED'));
  const bug = new TypeError('x is undefined');
  told(bug);
  assert.deepEqual(lines, [
    ['warn', { reason: 'database unreachable: ECONNREFUSED' }, 'dispatch runner error: the store is unavailable'],
    ['error', { err: bug }, 'dispatch runner error'],
  ]);
});
