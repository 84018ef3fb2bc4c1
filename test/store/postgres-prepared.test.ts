import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ResilientPool } from '../../src/store/postgres/resilient-pool.js';
import type { Database } from '../../src/store/schema.js';
import { prepared } from '../../src/store/sql/prepared.js';
import { StatementNames } from '../../src/store/postgres/statement-names.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';

const skip = (await postgresReachable()) ? false : 'no PostgreSQL server';

test('a text is named from its third sighting on, with the same name each time', () => {
  const names = new StatementNames({ after: 3, max: 10 });
  const text = 'select * from jobs where id = $1';
  assert.equal(names.nameFor(text, 1), undefined);
  assert.equal(names.nameFor(text, 1), undefined);
  const name = names.nameFor(text, 1);
  assert.match(name ?? '', /^sb_[0-9a-f]{24}$/);
  assert.equal(names.nameFor(text, 1), name);
  assert.notEqual(names.nameFor('select * from jobs where ref = $1', 1), name);
});

test('texts without parameters and statements PostgreSQL cannot prepare stay unnamed', () => {
  const names = new StatementNames({ after: 1, max: 10 });
  assert.equal(names.nameFor('select 1; select 2', 0), undefined);
  for (const text of ['begin', 'commit', 'listen jobs', 'select pg_notify($1, $2)']) names.nameFor(text, 1);
  assert.equal(names.nameFor('begin', 1), undefined);
  assert.equal(names.nameFor('listen jobs', 1), undefined);
  assert.match(names.nameFor('  WITH m AS (select $1) select * from m', 1) ?? '', /^sb_/);
});

test('no more than `max` texts are ever named', () => {
  const names = new StatementNames({ after: 1, max: 3 });
  const named = Array.from({ length: 5 }, (_, i) => names.nameFor(`select * from jobs where id in (${'$1, '.repeat(i)}$1)`, 1));
  assert.equal(named.filter((n) => n !== undefined).length, 3);
  assert.equal(names.nameFor('select * from jobs where id = $1', 1), undefined);
});

test('a named statement whose result columns a migration changed runs again on a fresh connection', { skip }, async (t) => {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const resilient = new ResilientPool({ pool, retryForMs: 1000 });
  t.after(async () => {
    await resilient.end();
    await database.drop();
  });
  const client = await resilient.connect();
  try {
    await client.query('create table t (id int primary key, a text)', []);
    await client.query(`insert into t values (1, 'x')`, []);
    const read = () => client.query<Record<string, unknown>>('select * from t where id = $1', [1]);
    for (let i = 0; i < 4; i++) assert.deepEqual((await read()).rows, [{ id: 1, a: 'x' }]);
    const prepared = await client.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements', []);
    assert.equal(prepared.rows[0]?.n, 1, 'the select is prepared by now');

    await client.query(`alter table t add column b text default 'y'`, []);
    assert.deepEqual((await read()).rows, [{ id: 1, a: 'x', b: 'y' }]);

    // Inside a transaction the statement cannot simply run again: the store reports itself unavailable.
    for (let i = 0; i < 3; i++) await read();
    await client.query(`alter table t add column c text default 'z'`, []);
    await client.query('begin', []);
    await assert.rejects(read(), { name: 'StoreUnavailableError' });
  } finally {
    client.release();
  }
  const again = await resilient.connect();
  try {
    const { rows } = await again.query<Record<string, unknown>>('select * from t where id = $1', [1]);
    assert.deepEqual(rows, [{ id: 1, a: 'x', b: 'y', c: 'z' }]);
  } finally {
    again.release();
  }
});

test('a prepared query passes an array whole to PostgreSQL’s `= any(…)`: one statement text for every length', { skip }, async (t) => {
  const database = await createTestDatabase();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
  t.after(async () => {
    await db.destroy();
    await database.drop();
  });
  await sql`create table meta (key text primary key, value text not null)`.execute(db);
  await sql`insert into meta values ('a', 'A'), ('b', 'B'), ('c', 'C')`.execute(db);
  const texts = new Set<string>();
  const pick = prepared((d, v: { keys: string[] }) => {
    const query = d.selectFrom('meta').select('value').where((eb) => eb('key', '=', eb.fn.any(eb.val(v.keys)))).orderBy('key');
    texts.add(query.compile().sql);
    return query;
  });
  const values = async (keys: string[]) => (await pick(db, { keys })).rows.map((r) => r.value);
  assert.deepEqual(await values(['c', 'a']), ['A', 'C']);
  assert.deepEqual(await values(['b']), ['B']);
  assert.deepEqual(await values(['a', 'b', 'c']), ['A', 'B', 'C']);
  assert.equal(texts.size, 1);
});
