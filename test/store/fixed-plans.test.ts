import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { FIXED_PLAN_OPTIONS, FIXED_PLAN_TABLES } from '../../src/store/postgres/postgres-store.js';
import { TableStatistics, needsAnalyze } from '../../src/store/postgres/table-statistics.js';
import type { Database } from '../../src/store/schema.js';
import { runMigrations } from '../../src/store/sql/migrate.js';
import { createRepositories } from '../../src/store/sql/repositories.js';
import type { Repositories } from '../../src/store/store.js';
import { createTestDatabase, postgresReachable, type TestDatabase } from '../helpers/postgres.js';
import { createApp, message, recipient, SECRET_HASH, token } from './store.contract.js';

const skip = (await postgresReachable()) ? false : 'no PostgreSQL server';

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Index Cond'?: string;
  readonly 'Recheck Cond'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** The tables a plan reads (an insert's own target is written, not read). */
function tablesRead(node: PlanNode, tables: string[] = []): string[] {
  if (node['Node Type'] !== 'ModifyTable' && node['Relation Name'] !== undefined) tables.push(`${node['Node Type']} of ${node['Relation Name']}`);
  for (const child of node.Plans ?? []) tablesRead(child, tables);
  return tables;
}

/** The tables a plan reads without a key: whole, or through an index without a condition on it. */
function unkeyedReads(node: PlanNode, reads: string[] = []): string[] {
  const table = node['Relation Name'];
  if (node['Node Type'] !== 'ModifyTable' && table !== undefined) {
    const keyed = node['Index Cond'] !== undefined || node['Recheck Cond'] !== undefined;
    if (!keyed) reads.push(`${node['Node Type']}${node['Index Name'] === undefined ? '' : ` using ${node['Index Name']}`} of ${table}`);
  }
  for (const child of node.Plans ?? []) unkeyedReads(child, reads);
  return reads;
}

/**
 * The statements that run on fixed (generic) plans, captured as they run on a connection set up
 * as the store sets up its own; they are explained as PostgreSQL plans them there.
 */
async function capture(database: TestDatabase): Promise<{ texts: Map<string, number>; db: Kysely<Database>; close: () => Promise<void> }> {
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
  await repos.tokens.issuePair(token('a1', 'access', 'r1'), token('r1', 'refresh'), 1, SECRET_HASH);
  assert.equal((await repos.tokens.getAccessGrant('a1'))?.app.id, 'app1');
  await repos.handsets.get('+14255550100');
  return {
    texts,
    db,
    close: async () => {
      await fixedPlanDb.destroy();
      await db.destroy();
    },
  };
}

interface Explained {
  /** Each statement's reads: `Index Scan of apps: select …`. */
  readonly reads: string[];
  /** The reads without a key, the same way. */
  readonly unkeyed: string[];
}

/**
 * The statements prepared once on `client` (set up as the store's fixed-plan connections are),
 * explained there as often as asked: a plan kept on the connection, as the store keeps its own.
 */
async function keptPlans(client: pg.Client, texts: ReadonlyMap<string, number>): Promise<() => Promise<Explained>> {
  const statements: Array<{ name: string; text: string; args: string }> = [];
  for (const [text, parameters] of texts) {
    const name = `s${statements.length}`;
    await client.query(`prepare ${name} as ${text}`);
    // A generic plan does not look at the values: nulls stand in for them.
    statements.push({ name, text, args: parameters === 0 ? '' : `(${Array.from({ length: parameters }, () => 'null').join(', ')})` });
  }
  return async () => {
    const explained: Explained = { reads: [], unkeyed: [] };
    for (const { name, text, args } of statements) {
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json) execute ${name}${args}`);
      const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
      assert.ok(plan, `a plan for ${text}`);
      for (const read of tablesRead(plan)) explained.reads.push(`${read}: ${text.slice(0, 100)}`);
      for (const read of unkeyedReads(plan)) explained.unkeyed.push(`${read}: ${text.slice(0, 100)}`);
    }
    return explained;
  };
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

/** The tables a read names (`… of oauth_tokens: select …` → `oauth_tokens`). */
const tableOf = (read: string): string => /of (\w+):/.exec(read)?.[1] ?? read;

test('the statements on fixed plans read only FIXED_PLAN_TABLES, by key as those grow; their key checks use the keys', { skip }, async (t) => {
  const database = await createTestDatabase();
  const { texts, db, close } = await capture(database).catch(async (err: unknown) => {
    await database.drop();
    throw err;
  });
  const kept = new pg.Client({ connectionString: database.url, options: FIXED_PLAN_OPTIONS });
  kept.on('error', () => undefined);
  const admin = new pg.Client({ connectionString: database.url });
  // The connections first: dropping the database ends them.
  t.after(async () => {
    await kept.end();
    await admin.end();
    await close();
    await database.drop();
  });
  await kept.connect();
  await admin.connect();
  assert.ok(texts.size >= 3, 'the accept, the grant and the handset read ran on fixed plans');
  const explain = await keptPlans(kept, texts);

  const fresh = await explain();
  assert.deepEqual([...new Set(fresh.reads.map(tableOf))].filter((table) => !(FIXED_PLAN_TABLES as readonly string[]).includes(table)), [], 'tables read outside FIXED_PLAN_TABLES');
  assert.ok(fresh.reads.some((r) => tableOf(r) === 'oauth_tokens'), 'the grant read is among them');
  assert.deepEqual(fresh.unkeyed, [], 'never analysed');
  assert.deepEqual(await unkeyedKeyChecks(database), [], 'never analysed');

  // Tiny tables with statistics are where a planner prefers whole-table reads: the key checks
  // keep to their keys (no sequential scans there), the reads may not, until the tables grow.
  await admin.query('analyze');
  assert.deepEqual(await unkeyedKeyChecks(database), [], 'analysed while nearly empty');
  // The plans kept from now on are made from those statistics (the grant's reads every token of
  // its app's index, filtered), and stay made until the statistics change.
  await explain();
  await admin.query("insert into oauth_tokens (token_hash, app_id, kind, parent_hash, scopes, expires_at, revoked_at, created_at) select md5(g::text), 'app1', 'access', null, '[\"SMS\"]', null, null, 0 from generate_series(1, 2000) g");
  await admin.query("insert into handsets (number, online, kind, updated_at) select '+1425' || lpad(g::text, 7, '0'), 1, 'mobile', 0 from generate_series(1, 2000) g");
  // The statistics of a session's writes reach pg_stat_user_tables within a second or so.
  await admin.query('select pg_stat_force_next_flush()');
  await admin.query('select 1');

  const analysed = await new TableStatistics(db, FIXED_PLAN_TABLES).refresh();
  assert.ok(analysed.includes('oauth_tokens') && analysed.includes('handsets'), analysed.join(', '));
  const grown = await explain();
  assert.deepEqual(
    grown.unkeyed.filter((read) => ['oauth_tokens', 'handsets'].includes(tableOf(read))),
    [],
    'the grown tables read by key, by the plans kept on the connection',
  );
  // Just analysed, the grown tables are not analysed again. (A tiny table may be: another
  // connection's writes from before can reach the statistics after the ANALYZE, a second late.)
  const again = await new TableStatistics(db, FIXED_PLAN_TABLES).refresh();
  assert.ok(!again.includes('oauth_tokens') && !again.includes('handsets'), again.join(', '));
});

test('needsAnalyze: a table analysed once is analysed again when half its rows (at least one) changed; never analysed, never', () => {
  assert.equal(needsAnalyze(-1, 1_000_000), false);
  assert.equal(needsAnalyze(0, 0), false);
  assert.equal(needsAnalyze(0, 1), true);
  assert.equal(needsAnalyze(1, 1), true);
  assert.equal(needsAnalyze(1000, 499), false);
  assert.equal(needsAnalyze(1000, 500), true);
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
