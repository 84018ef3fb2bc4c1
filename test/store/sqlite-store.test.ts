import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { seedMigratedSqlite } from '../helpers/migrated-store.js';
import { createApp, runStoreContract, SECRET_HASH, token } from './store.contract.js';

runStoreContract({
  name: 'sqlite',
  open: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
    const file = join(dir, 'switchboard.db');
    await seedMigratedSqlite(file);
    const store = openSqliteStore({ file, synchronous: 'NORMAL' });
    await store.migrate();
    return {
      store,
      // Deviation: an SQLite database is written by one process, so "another instance" is the same
      // store; the concurrency cases then show its own concurrent callers are served exactly once.
      // (Two handles on one file would block each other's transactions: better-sqlite3 waits
      // synchronously on the file lock while the other handle's transaction awaits the event loop.)
      another: async () => store,
      dispose: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});

test('sqlite: a grant read again after another connection changed its token, app or short codes is current', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
  const file = join(dir, 'switchboard.db');
  const store = openSqliteStore({ file, synchronous: 'NORMAL' });
  // Another writer of the same file: an operator's tool, or a second gateway process by mistake.
  const other = new BetterSqlite3(file);
  other.pragma('foreign_keys = ON');
  try {
    await store.migrate();
    await createApp(store, 'app1');
    assert.equal(await store.tokens.issuePair(token('a1', 'access', 'r1'), token('r1', 'refresh'), 1, SECRET_HASH), 'issued');
    assert.equal((await store.tokens.getAccessGrant('a1'))?.app.suspended, false);
    assert.equal((await store.tokens.getAccessGrant('a1'))?.token.revokedAt, null);

    other.prepare("update apps set suspended = 1 where id = 'app1'").run();
    assert.equal((await store.tokens.getAccessGrant('a1'))?.app.suspended, true);
    other.prepare("insert into short_codes (code, app_id, mo_delivery, listener_url, created_at) values ('22627000', 'app1', 'poll', null, 1)").run();
    assert.deepEqual((await store.tokens.getAccessGrant('a1'))?.app.shortCodes, ['22627000']);
    other.prepare("update oauth_tokens set revoked_at = 5 where token_hash = 'a1'").run();
    assert.equal((await store.tokens.getAccessGrant('a1'))?.token.revokedAt, 5);
    // A cascade from the app's deletion takes the token with it.
    other.prepare("delete from apps where id = 'app1'").run();
    assert.equal(await store.tokens.getAccessGrant('a1'), undefined);
  } finally {
    other.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('sqlite: a new store is readable by its owner only (data dir 0700, database and its log 0600)', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
  const dir = join(parent, 'data');
  const file = join(dir, 'switchboard.db');
  const store = openSqliteStore({ file, synchronous: 'NORMAL' });
  try {
    await store.migrate();
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    assert.equal(await mode(dir), 0o700);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) assert.equal(await mode(path), 0o600, path);
  } finally {
    await store.close();
    await rm(parent, { recursive: true, force: true });
  }
});

test('sqlite: the serving process releases at its start the leases a killed one held; the CLI opening the store beside it does not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-leases-'));
  const file = join(dir, 'switchboard.db');
  try {
    const claim = (s: ReturnType<typeof openSqliteStore>, workerId: string, now: number) => s.jobs.claim({ kinds: ['submit'], workerId, limit: 10, leaseMs: 60_000, now });
    const killed = openSqliteStore({ file, synchronous: 'NORMAL', exclusive: true });
    await killed.migrate();
    await killed.jobs.enqueue([{ kind: 'submit', ref: 'r1', runAt: 1000, deadlineAt: 1_000_000 }]);
    assert.equal((await claim(killed, 'killed', 1000)).length, 1);
    // Closed with the job still leased, as a kill -9 leaves it.
    await killed.close();

    const cli = openSqliteStore({ file, synchronous: 'NORMAL' });
    assert.equal(typeof cli.releaseLeases, 'undefined', 'a CLI command runs beside the gateway: its leases are live');
    await cli.close();

    const next = openSqliteStore({ file, synchronous: 'NORMAL', exclusive: true });
    assert.equal((await claim(next, 'next', 2000)).length, 0, 'held for the lease: a minute');
    assert.equal(await next.releaseLeases?.(2000), 1);
    const [job] = await claim(next, 'next', 2000);
    assert.equal(job?.ref, 'r1', 'due at once');
    assert.equal(await next.releaseLeases?.(2000), 1, 'its own lease too: called only at the start');
    await next.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
