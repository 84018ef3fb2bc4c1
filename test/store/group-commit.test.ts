import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { GroupCommitter } from '../../src/store/sql/group-commit.js';
import { runMigrations } from '../../src/store/sql/migrate.js';

async function withDb(fn: (db: Kysely<Database>, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-gc-'));
  const file = join(dir, 'db.sqlite');
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  try {
    await runMigrations(db);
    await fn(db, file);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('concurrent writes share commits; a failing write rolls back alone', async () => {
  await withDb(async (db) => {
    const committer = new GroupCommitter(db, { maxBatch: 16, windowMs: 1 });
    await db.insertInto('meta').values({ key: 'taken', value: 'x' }).execute();
    const keys = Array.from({ length: 200 }, (_, i) => (i === 57 ? 'taken' : `k${i}`));
    const results = await Promise.allSettled(
      keys.map((key) =>
        committer.run(async (trx) => {
          await trx.insertInto('meta').values({ key, value: 'v' }).execute();
          await trx.insertInto('meta').values({ key: `${key}:second`, value: 'v' }).execute();
          return key;
        }),
      ),
    );
    const rejected = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    assert.deepEqual(rejected, [57]);
    const rows = await db.selectFrom('meta').select('key').execute();
    // 199 writes of two rows each, plus the pre-existing row; the failed write left no half.
    assert.equal(rows.length, 199 * 2 + 1);
    assert.ok(!rows.some((r) => r.key === 'taken:second'));
  });
});

test('what a resolved write wrote is on disk for another connection', async () => {
  await withDb(async (db, file) => {
    const committer = new GroupCommitter(db);
    await Promise.all(Array.from({ length: 50 }, (_, i) => committer.run((trx) => trx.insertInto('meta').values({ key: `d${i}`, value: 'v' }).execute())));
    const other = new BetterSqlite3(file, { readonly: true });
    const { n } = other.prepare('select count(*) as n from meta').get() as { n: number };
    other.close();
    assert.equal(n, 50);
  });
});

test('a write that fails on what an earlier write of its batch did fails alone; the batch runs again and commits once', async () => {
  await withDb(async (db) => {
    const committer = new GroupCommitter(db, { maxBatch: 16, windowMs: 5 });
    const runs = new Map<string, number>();
    const write = (name: string, key: string) =>
      committer.run(async (trx) => {
        runs.set(name, (runs.get(name) ?? 0) + 1);
        await trx.insertInto('meta').values({ key, value: name }).execute();
        return name;
      });
    const results = await Promise.allSettled([write('a', 'same'), write('b', 'other'), write('c', 'same'), write('d', 'last')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(results.filter((r) => r.status === 'fulfilled').map((r) => r.value), ['a', 'b', 'd']);
    const rows = await db.selectFrom('meta').select(['key', 'value']).orderBy('key').execute();
    assert.deepEqual(rows, [
      { key: 'last', value: 'd' },
      { key: 'other', value: 'b' },
      { key: 'same', value: 'a' },
    ]);
    // The writes before the failure ran again after the rollback; the one after it ran once.
    assert.deepEqual(Object.fromEntries(runs), { a: 2, b: 2, c: 1, d: 1 });
  });
});
