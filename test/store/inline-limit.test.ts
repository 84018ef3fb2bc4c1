import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { runMigrations } from '../../src/store/sql/migrate.js';
import { prepared } from '../../src/store/sql/prepared.js';
import { InlineLimitPlugin } from '../../src/store/sqlite/inline-limit.js';

async function withDb(fn: (db: Kysely<Database>) => Promise<void>): Promise<void> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }), plugins: [new InlineLimitPlugin()] });
  try {
    await runMigrations(db);
    await db
      .insertInto('meta')
      .values(Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: 'v' })))
      .execute();
    await fn(db);
  } finally {
    await db.destroy();
  }
}

test('a select LIMIT is written into the SQL, not bound, and still limits', async () => {
  await withDb(async (db) => {
    const query = db.selectFrom('meta').select('key').where('value', '=', 'v').orderBy('key').limit(3);
    const { sql, parameters } = query.compile();
    assert.match(sql, / limit 3$/);
    assert.deepEqual(parameters, ['v']);
    assert.deepEqual(
      (await query.execute()).map((r) => r.key),
      ['k0', 'k1', 'k2'],
    );
  });
});

test('a LIMIT that is not a plain integer stays a bound parameter (a prepared query fills it per run)', async () => {
  await withDb(async (db) => {
    const firstKeys = prepared((kdb, v: { n: number }) => kdb.selectFrom('meta').select('key').orderBy('key').limit(v.n));
    assert.deepEqual(
      (await firstKeys(db, { n: 2 })).rows.map((r) => r.key),
      ['k0', 'k1'],
    );
    assert.equal((await firstKeys(db, { n: 4 })).rows.length, 4);
  });
});
