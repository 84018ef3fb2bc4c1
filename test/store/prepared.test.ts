import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { prepared } from '../../src/store/sql/prepared.js';

function memoryDb(): Kysely<Database> {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
}

test('a prepared query runs with each call’s values and keeps the constants its builder wrote', async () => {
  const db = memoryDb();
  try {
    await sql`create table meta (key text primary key, value text not null)`.execute(db);
    const put = prepared((d, v: { key: string; value: string }) => d.insertInto('meta').values({ key: v.key, value: v.value }));
    const get = prepared((d, v: { key: string }) => d.selectFrom('meta').select(['key', 'value']).where('key', '=', v.key).where('value', '!=', 'hidden'));
    await put(db, { key: 'a', value: 'one' });
    await put(db, { key: 'b', value: 'two' });
    await put(db, { key: 'c', value: 'hidden' });
    assert.deepEqual((await get(db, { key: 'a' })).rows, [{ key: 'a', value: 'one' }]);
    assert.deepEqual((await get(db, { key: 'b' })).rows, [{ key: 'b', value: 'two' }]);
    assert.deepEqual((await get(db, { key: 'c' })).rows, [], 'the constant still filters');
    const drop = prepared((d, v: { key: string }) => d.deleteFrom('meta').where('key', '=', v.key));
    assert.equal((await drop(db, { key: 'a' })).numAffectedRows, 1n);
    await db.transaction().execute(async (trx) => {
      assert.equal((await drop(trx, { key: 'b' })).numAffectedRows, 1n, 'runs inside a transaction too');
    });
  } finally {
    await db.destroy();
  }
});

test('a prepared query takes an array as an `in` list, built once per length and run with each call’s elements', async () => {
  const db = memoryDb();
  try {
    await sql`create table meta (key text primary key, value text not null)`.execute(db);
    const put = prepared((d, v: { key: string; value: string }) => d.insertInto('meta').values({ key: v.key, value: v.value }));
    for (const key of ['a', 'b', 'c', 'd']) await put(db, { key, value: key.toUpperCase() });
    let built = 0;
    const pick = prepared((d, v: { keys: string[]; not: string }) => {
      built += 1;
      return d.selectFrom('meta').select('value').where('key', 'in', v.keys).where('value', '!=', v.not).orderBy('key');
    });
    const values = async (keys: string[], not = '') => (await pick(db, { keys, not })).rows.map((r) => r.value);
    assert.deepEqual(await values(['a', 'c']), ['A', 'C']);
    assert.deepEqual(await values(['b', 'd']), ['B', 'D'], 'same length, new elements');
    assert.deepEqual(await values(['a', 'b', 'd'], 'B'), ['A', 'D'], 'another length, and the scalar beside it');
    assert.deepEqual(await values(['c']), ['C']);
    assert.deepEqual(await values(['d', 'a']), ['A', 'D']);
    assert.equal(built, 3, 'once for each length: 2, 3 and 1');
  } finally {
    await db.destroy();
  }
});
