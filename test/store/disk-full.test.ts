import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { DiskFullWatch } from '../../src/store/sqlite/disk-full.js';
import { withStatementCache } from '../../src/store/sqlite/statement-cache.js';
import { StoreUnavailableError } from '../../src/store/store.js';

/** A SQLite file whose writes go through a DiskFullWatch on a clock the test moves; its warnings. */
async function watchedStore() {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-full-'));
  const file = join(dir, 'full.db');
  const database = new BetterSqlite3(file);
  const warnings: string[] = [];
  const clock = { now: 0 };
  const watch = new DiskFullWatch(file, { warn: (_obj, msg) => warnings.push(msg) }, { now: () => clock.now });
  const db = new Kysely<{ filler: { body: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(database, () => undefined, (s) => watch.guard(s)) }) });
  const close = async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  return { database, warnings, clock, watch, db, close };
}

test('a write that finds the disk full fails as StoreUnavailableError, logged once, until a write succeeds again', async () => {
  const { database, warnings, clock, watch, db, close } = await watchedStore();
  try {
    await sql`create table filler (body text not null)`.execute(db);
    // SQLite answers SQLITE_FULL at its page limit exactly as on a full disk.
    database.pragma('max_page_count = 8');
    const insert = () => db.insertInto('filler').values({ body: 'x'.repeat(2000) }).execute();
    let failure: unknown;
    for (let i = 0; i < 100 && failure === undefined; i++) await insert().catch((err: unknown) => (failure = err));
    assert.ok(failure instanceof StoreUnavailableError, String(failure));
    assert.match(failure.message, /^disk full: .*full\.db cannot be written$/);
    assert.equal((failure.cause as { code?: string }).code, 'SQLITE_FULL');
    assert.throws(() => watch.check(), StoreUnavailableError, 'the health check says down');
    await assert.rejects(insert(), StoreUnavailableError);
    assert.deepEqual(warnings, ['disk full: the SQLite store refuses writes (503) until space is freed'], 'once, not per write');
    assert.ok(Number((await db.selectFrom('filler').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n) > 0, 'reads go on');

    database.pragma('max_page_count = 100000');
    clock.now += 10_000;
    await insert();
    watch.check();
    assert.equal(warnings.at(-1), 'the SQLite store writes again: space was freed');
    assert.equal(warnings.length, 2);
    // Other errors pass through as they are.
    await assert.rejects(sql`insert into filler (body) values (null)`.execute(db), (err: Error) => !(err instanceof StoreUnavailableError) && /NOT NULL/.test(err.message));
  } finally {
    await close();
  }
});

test('writes that still fit on a full disk are not taken for space freed: the store writes again after 10 s without SQLITE_FULL', async () => {
  const { database, warnings, clock, watch, db, close } = await watchedStore();
  try {
    await sql`create table filler (body text not null)`.execute(db);
    await db.insertInto('filler').values({ body: 'x' }).execute();
    database.pragma('max_page_count = 8');
    const grow = () => db.insertInto('filler').values({ body: 'x'.repeat(2000) }).execute();
    // Rewriting a row in place needs no new page: on a full disk such a write still succeeds,
    // as the gateway's small writes did between the large ones on a full tmpfs (a walk logged
    // 5,466 flips in 15 s).
    const fits = () => db.updateTable('filler').set({ body: 'x' }).where('body', '=', 'x').execute();
    for (let i = 0; i < 100 && warnings.length === 0; i++) await grow().catch(() => undefined);
    for (let second = 0; second < 30; second++) {
      clock.now += 1000;
      await fits();
      if (second % 5 === 0) await assert.rejects(grow(), StoreUnavailableError);
    }
    assert.deepEqual(warnings, ['disk full: the SQLite store refuses writes (503) until space is freed'], 'no flip while large writes still fail');
    assert.throws(() => watch.check(), StoreUnavailableError);

    await assert.rejects(grow(), StoreUnavailableError);
    clock.now += 9_000;
    await fits();
    assert.throws(() => watch.check(), StoreUnavailableError, 'within 10 s of the last SQLITE_FULL');
    clock.now += 1_000;
    watch.check();
    assert.deepEqual(warnings.slice(1), ['the SQLite store writes again: space was freed']);
  } finally {
    await close();
  }
});
