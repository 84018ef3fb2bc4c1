import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { FIXED_PLAN_OPTIONS } from '../../src/store/postgres/postgres-store.js';
import type { Database } from '../../src/store/schema.js';
import { runMigrations } from '../../src/store/sql/migrate.js';
import { createRepositories } from '../../src/store/sql/repositories.js';
import type { Repositories } from '../../src/store/store.js';
import { createTestDatabase, postgresReachable, type TestDatabase } from '../helpers/postgres.js';
import { createApp, message, recipient } from './store.contract.js';

const skip = (await postgresReachable()) ? false : 'no PostgreSQL server';

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** The tables a plan reads (an insert's own target is written, not read). */
function tablesRead(node: PlanNode, tables: string[] = []): string[] {
  if (node['Node Type'] !== 'ModifyTable' && node['Relation Name'] !== undefined) tables.push(`${node['Node Type']} of ${node['Relation Name']}`);
  for (const child of node.Plans ?? []) tablesRead(child, tables);
  return tables;
}

/**
 * The statements that run on fixed (generic) plans, captured as they run on a connection set up
 * as the store sets up its own; they are explained as PostgreSQL plans them there.
 */
async function capture(database: TestDatabase): Promise<{ texts: Map<string, number>; close: () => Promise<void> }> {
  const texts = new Map<string, number>();
  const log = (event: LogEvent) => {
    if (event.level === 'query') texts.set(event.query.sql, event.query.parameters.length);
  };
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const fixedPool = new pg.Pool({ connectionString: database.url, max: 2, options: FIXED_PLAN_OPTIONS });
  // An idle connection ended by the server (the database dropped at teardown) is an 'error' event
  // on its pool, which would otherwise be thrown; the next query on the pool reconnects anyway.
  for (const p of [pool, fixedPool]) p.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const fixedPlanDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: fixedPool }), log });
  await runMigrations(db);
  const repos: Repositories = createRepositories({ db, fixedPlanDb, dialect: 'postgres', write: (fn) => db.transaction().execute(fn) });
  await createApp(repos, 'app1');
  const job = { kind: 'submit', ref: 'm1-0', runAt: 1_800_000_000_000, deadlineAt: 1_900_000_000_000 };
  await repos.messages.accept(message('m1', 'app1'), [recipient('m1', 0)], [job]);
  // A repeat of the same id: the statement's conflict path.
  await repos.messages.accept(message('m1', 'app1'), [recipient('m1', 0)], [job]);
  return {
    texts,
    close: async () => {
      await fixedPlanDb.destroy();
      await db.destroy();
    },
  };
}

async function tablesReadByEach(database: TestDatabase, texts: ReadonlyMap<string, number>): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url, options: FIXED_PLAN_OPTIONS });
  await client.connect();
  try {
    const reads: string[] = [];
    let n = 0;
    for (const [text, parameters] of texts) {
      const name = `s${n++}`;
      await client.query(`prepare ${name} as ${text}`);
      // A generic plan does not look at the values: nulls stand in for them.
      const args = parameters === 0 ? '' : `(${Array.from({ length: parameters }, () => 'null').join(', ')})`;
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json) execute ${name}${args}`);
      const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
      assert.ok(plan, `a plan for ${text}`);
      for (const read of tablesRead(plan)) reads.push(`${read}: ${text.slice(0, 120)}`);
      await client.query(`deallocate ${name}`);
    }
    return reads;
  } finally {
    await client.end();
  }
}

/**
 * The foreign-key checks the accept's inserts make, as PostgreSQL's referential-integrity triggers
 * write them (ri_triggers.c): planned once per connection too, like the statements.
 */
const KEY_CHECKS = ['messages', 'apps'].map((table) => `select 1 from only ${table} x where id operator(pg_catalog.=) $1 for key share of x`);

async function unkeyedKeyChecks(database: TestDatabase): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url, options: FIXED_PLAN_OPTIONS });
  await client.connect();
  try {
    const unkeyed: string[] = [];
    for (const check of KEY_CHECKS) {
      await client.query(`prepare k as ${check}`);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>('explain execute k(null)');
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      if (!/Index Cond: \(id = \$1\)/.test(plan) || /Seq Scan/.test(plan)) unkeyed.push(`${check}: ${plan}`);
      await client.query('deallocate k');
    }
    return unkeyed;
  } finally {
    await client.end();
  }
}

test('the statements on fixed plans read no table, and their key checks use the keys, before and after the tables have statistics', { skip }, async (t) => {
  const database = await createTestDatabase();
  const { texts, close } = await capture(database).catch(async (err: unknown) => {
    await database.drop();
    throw err;
  });
  // The pools first: dropping the database ends their connections.
  t.after(async () => {
    await close();
    await database.drop();
  });
  assert.ok(texts.size >= 1, 'the accept ran on a fixed plan');
  assert.deepEqual(await tablesReadByEach(database, texts), [], 'never analysed');
  assert.deepEqual(await unkeyedKeyChecks(database), [], 'never analysed');
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    // Tiny tables with statistics are where a planner prefers whole-table reads.
    await admin.query('analyze');
  } finally {
    await admin.end();
  }
  assert.deepEqual(await tablesReadByEach(database, texts), [], 'analysed while nearly empty');
  assert.deepEqual(await unkeyedKeyChecks(database), [], 'analysed while nearly empty');
});

test('tablesRead names the tables a plan reads, not the one it inserts into', () => {
  const insert: PlanNode = {
    'Node Type': 'ModifyTable',
    'Relation Name': 'messages',
    Plans: [{ 'Node Type': 'Function Scan' }, { 'Node Type': 'CTE Scan' }],
  };
  assert.deepEqual(tablesRead(insert), []);
  const join: PlanNode = {
    'Node Type': 'Nested Loop',
    Plans: [
      { 'Node Type': 'Index Scan', 'Relation Name': 'oauth_tokens' },
      { 'Node Type': 'Seq Scan', 'Relation Name': 'apps' },
    ],
  };
  assert.deepEqual(tablesRead(join), ['Index Scan of oauth_tokens', 'Seq Scan of apps']);
});
