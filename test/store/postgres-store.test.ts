import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { StoreUnavailableError, type Store } from '../../src/store/store.js';
import { createTestDatabase, postgresReachable, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { createApp, message, notification, recipient, runStoreContract } from './store.contract.js';

// In CI a missing server is a failure (run-tests checks it first); elsewhere the suite says why it skipped.
const reachable = await postgresReachable();

runStoreContract({
  name: 'postgres',
  skip: reachable ? false : `no PostgreSQL at ${new URL(TEST_DATABASE_URL).host} (set SWITCHBOARD_TEST_DATABASE_URL)`,
  open: async () => {
    const database = await createTestDatabase({ migrated: true });
    const opened: Store[] = [];
    const openOne = async () => {
      const store = await openPostgresStore({ url: database.url, poolSize: 4 });
      opened.push(store);
      return store;
    };
    const store = await openOne();
    await store.migrate();
    return {
      store,
      another: openOne,
      dispose: async () => {
        for (const s of opened) await s.close();
        await database.drop();
      },
    };
  },
});

const skip = reachable ? false : 'no PostgreSQL server';
const T0 = 1_800_000_000_000;

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until some session of `database` is LISTENing (the notifier connects in the background). */
async function listening(database: TestDatabase, sessions = 1): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await until(async () => {
      const res = await client.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where datname = $1 and query ilike 'listen %'",
        [database.name],
      );
      return Number(res.rows[0]?.n) >= sessions;
    }, 'LISTEN');
  } finally {
    await client.end();
  }
}

describe('postgres store: engine specifics', { skip }, () => {
  test('accepts sharing a statement: one PostgreSQL refuses fails alone, the others are stored', async () => {
    const database = await createTestDatabase();
    const store = await openPostgresStore({ url: database.url, poolSize: 2 });
    try {
      await store.migrate();
      await createApp(store, 'app1');
      // PostgreSQL text cannot hold NUL; the first accept goes alone, the rest share a batch.
      const texts = ['first', 'fine', 'bad \u0000 text', 'also fine'];
      const results = await Promise.allSettled(texts.map((text, i) => store.messages.accept(message(`n${i}`, 'app1', { text }), [recipient(`n${i}`, 1)], [])));
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      );
      const stored = await Promise.all(texts.map((_, i) => store.messages.recipient(`n${i}-1`)));
      assert.deepEqual(
        stored.map((r) => r?.message.text),
        ['first', 'fine', undefined, 'also fine'],
      );
    } finally {
      await store.close();
      await database.drop();
    }
  });

  test('finalizes sharing a statement: one whose notification PostgreSQL refuses fails alone, the others are final and notified', async () => {
    const database = await createTestDatabase();
    const store = await openPostgresStore({ url: database.url, poolSize: 2 });
    try {
      await store.migrate();
      await createApp(store, 'app1');
      const ids = ['d0', 'd1', 'd2', 'd3'];
      for (const id of ids) await store.messages.accept(message(id, 'app1'), [recipient(id, 1)], []);
      const notify = (m: { id: string }, r: { id: string }) => ({ ...notification(`dlr-${r.id}`, 'q-dlr'), kind: 'dlr' as const, body: m.id === 'd2' ? '{"bad":"\u0000"}' : '{}' });
      // The first finalize goes alone, the other three share a statement.
      const results = await Promise.allSettled(ids.map((id) => store.messages.finalize({ recipientId: `${id}-1` }, 'DeliveredToTerminal', T0, 60_000, notify)));
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      );
      const stored = await Promise.all(ids.map((id) => store.messages.recipient(`${id}-1`)));
      assert.deepEqual(
        stored.map((r) => r?.recipient.status),
        ['DeliveredToTerminal', 'DeliveredToTerminal', 'Pending', 'DeliveredToTerminal'],
        'the refused one is left as it was, to be finalized by its receipt again',
      );
      const webhooks = await store.jobs.claim({ kinds: ['webhook'], workerId: 'w', limit: 10, leaseMs: 60_000, now: T0 + 1 });
      assert.deepEqual(webhooks.map((j) => j.ref).sort(), ['dlr-d0-1', 'dlr-d1-1', 'dlr-d3-1']);
    } finally {
      await store.close();
      await database.drop();
    }
  });

  test('several instances migrating a fresh database at once all succeed, and the schema is there once', async () => {
    const database = await createTestDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore({ url: database.url, poolSize: 2 })));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      await stores[0]?.jobs.enqueue([{ kind: 'k', ref: 'r', runAt: T0, deadlineAt: T0 + 1 }]);
      assert.equal((await stores[3]?.jobs.backlog(T0))?.ready, 1);
      // Running them again is a no-op.
      await stores[1]?.migrate();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await database.drop();
    }
  });

  test('a commit that adds or wakes jobs wakes idle workers of their kind on other instances; claims stay silent', async () => {
    const database = await createTestDatabase();
    const a = await openPostgresStore({ url: database.url, poolSize: 2 });
    const b = await openPostgresStore({ url: database.url, poolSize: 2 });
    try {
      await a.migrate();
      let wakes = 0;
      let otherWakes = 0;
      const unsubscribe = b.onJobsAvailable?.(['k', 'k2'], () => (wakes += 1));
      assert.ok(unsubscribe, 'the PostgreSQL store offers job wake-ups');
      b.onJobsAvailable?.(['other'], () => (otherWakes += 1));
      await listening(database);
      await a.jobs.enqueue([{ kind: 'k', ref: 'r1', runAt: T0 + 60_000, deadlineAt: T0 + 120_000 }]);
      await until(() => wakes === 1, 'the wake-up after enqueue');
      assert.equal(otherWakes, 0, 'a runner of other kinds sleeps on');
      await a.jobs.enqueue([{ kind: 'other', ref: 'o1', runAt: T0 + 60_000, deadlineAt: T0 + 120_000 }]);
      await until(() => otherWakes === 1, 'the wake-up of the other kind');
      assert.equal(wakes, 1);
      await a.jobs.wake('k', ['r1'], T0);
      await until(() => wakes === 2, 'the wake-up after wake()');
      const claimed = await a.jobs.claim({ kinds: ['k'], workerId: 'w', limit: 5, leaseMs: 1000, now: T0 });
      assert.equal(claimed.length, 1);
      await a.jobs.complete(claimed[0]?.id ?? '', 'w');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(wakes, 2, 'claims and acks send no wake-ups');
      unsubscribe();
      await a.jobs.enqueue([{ kind: 'k', ref: 'r2', runAt: T0, deadlineAt: T0 + 1 }]);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(wakes, 2, 'an unsubscribed listener is not called');
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });

  test('a database with an earlier job trigger (any change of run_at, or no kind sent) gets the one that ignores claims and names the kind', async () => {
    const database = await createTestDatabase();
    const first = await openPostgresStore({ url: database.url, poolSize: 1 });
    await first.migrate();
    await first.close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const triggers = async () => (await client.query<{ tgname: string }>(`select tgname from pg_trigger where tgrelid = 'jobs'::regclass and not tgisinternal order by tgname`)).rows.map((r) => r.tgname);
    try {
      const functions = async () =>
        (await client.query<{ proname: string }>(`select proname from pg_proc where proname like 'switchboard_jobs_notify%' order by proname`)).rows.map((r) => r.proname);
      const upgrade = async () => {
        const upgraded = await openPostgresStore({ url: database.url, poolSize: 1 });
        await upgraded.migrate();
        await upgraded.close();
        assert.deepEqual(await triggers(), ['jobs_notify_unheld']);
        assert.deepEqual(await functions(), ['switchboard_jobs_notify_kind']);
      };
      const oldFunction = `create function switchboard_jobs_notify() returns trigger language plpgsql as $$ begin perform pg_notify('switchboard_jobs', ''); return null; end $$`;
      await client.query('drop trigger jobs_notify_unheld on jobs');
      await client.query(oldFunction);
      await client.query('create trigger jobs_notify after insert or update of run_at on jobs for each statement execute function switchboard_jobs_notify()');
      assert.deepEqual(await triggers(), ['jobs_notify']);
      await upgrade();
      await client.query('drop trigger jobs_notify_unheld on jobs');
      await client.query(oldFunction);
      await client.query('create trigger jobs_notify_unheld after insert or update of run_at on jobs for each row when (new.locked_by is null) execute function switchboard_jobs_notify()');
      await upgrade();
    } finally {
      await client.end();
      await database.drop();
    }
  });

  test('an unreachable database fails the open with one line naming the server but not the password', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    await proxy.cut();
    const started = Date.now();
    await assert.rejects(
      openPostgresStore({ url: `postgres://someone:s3cret-pw@127.0.0.1:${proxy.port}/nowhere`, poolSize: 1, connectRetryMs: 300 }),
      (err: Error) => {
        assert.match(err.message, new RegExp(`^cannot reach PostgreSQL at someone@127\\.0\\.0\\.1:${proxy.port}/nowhere: .*ECONNREFUSED`));
        assert.doesNotMatch(err.message, /s3cret/);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000);
    await proxy.close();
  });

  test('a lost database connection is not fatal: 503-class errors while it is away, back without reopening', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(database.url);
    url.port = String(proxy.port);
    const store = await openPostgresStore({ url: url.toString(), poolSize: 3, connectRetryMs: 400 });
    try {
      await store.migrate();
      await store.jobs.enqueue([{ kind: 'k', ref: 'r', runAt: T0, deadlineAt: T0 + 1 }]);
      await proxy.cut();
      await assert.rejects(store.jobs.backlog(T0), StoreUnavailableError);
      await assert.rejects(store.ping());
      await proxy.restore();
      assert.equal((await store.jobs.backlog(T0)).ready, 1);
      // A short outage inside the retry window is ridden out, by an open and by a statement.
      await proxy.cut();
      setTimeout(() => void proxy.restore(), 150);
      const late = await openPostgresStore({ url: url.toString(), poolSize: 1, connectRetryMs: 3000 });
      await late.close();
      await proxy.cut();
      const during = store.jobs.backlog(T0);
      setTimeout(() => void proxy.restore(), 200);
      assert.equal((await during).ready, 1);
    } finally {
      await store.close();
      await proxy.close();
      await database.drop();
    }
  });

  test('an outage is one warning every few seconds, not one per retry of every waiting statement', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(database.url);
    url.port = String(proxy.port);
    const warnings: Array<{ retries?: number }> = [];
    const store = await openPostgresStore({ url: url.toString(), poolSize: 3, connectRetryMs: 1500, log: { warn: (obj, msg) => msg === 'database unreachable; retrying' && warnings.push(obj) } });
    try {
      await store.migrate();
      await proxy.cut();
      const reads = await Promise.allSettled(Array.from({ length: 10 }, () => store.jobs.backlog(T0)));
      assert.ok(reads.every((r) => r.status === 'rejected' && r.reason instanceof StoreUnavailableError));
      // Ten statements retrying with back-off for 1.5 s: dozens of retries, one line.
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
    } finally {
      await proxy.restore();
      await store.close();
      await proxy.close();
      await database.drop();
    }
  });

  test('the job listener comes back after its connection was killed, and wakes its workers once back', async () => {
    const database = await createTestDatabase();
    const a = await openPostgresStore({ url: database.url, poolSize: 2 });
    const b = await openPostgresStore({ url: database.url, poolSize: 2 });
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await a.migrate();
      let wakes = 0;
      b.onJobsAvailable?.(['k'], () => (wakes += 1));
      await listening(database);
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query ilike 'listen %'", [database.name]);
      await until(() => wakes === 1, 'the catch-up wake-up after reconnecting');
      await listening(database);
      await a.jobs.enqueue([{ kind: 'k', ref: 'r', runAt: T0, deadlineAt: T0 + 1 }]);
      await until(() => wakes === 2, 'a wake-up on the new connection');
      // The pool's own connections were killed too; the next statements run on fresh ones.
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database.name]);
      assert.equal((await a.jobs.backlog(T0)).ready, 1);
      assert.equal((await b.jobs.backlog(T0)).ready, 1);
    } finally {
      await admin.end();
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});

test('a server with autovacuum off is told at open, once; one with it on is not', { skip }, async (t) => {
  const database = await createTestDatabase();
  t.after(() => database.drop());
  const warnings: string[] = [];
  const store = await openPostgresStore({ url: database.url, poolSize: 2, log: { warn: (_obj: object, msg: string) => warnings.push(msg) } });
  t.after(() => store.close());
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const setting = (await client.query<{ autovacuum: string }>("select current_setting('autovacuum') as autovacuum")).rows[0]?.autovacuum;
  await client.end();
  const told = warnings.filter((w) => w.startsWith('autovacuum is off'));
  assert.equal(told.length, setting === 'off' ? 1 : 0, `autovacuum ${setting}: ${warnings.join('; ')}`);
});
