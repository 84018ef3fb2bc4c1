import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Database as Schema } from '../../src/store/schema.js';
import { claimForListeners } from '../../src/store/sql/listener-claim.js';
import { runMigrations } from '../../src/store/sql/migrate.js';
import type { SqlContext } from '../../src/store/sql/context.js';
import { InlineLimitPlugin } from '../../src/store/sqlite/inline-limit.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';

/*
 * The listener claim looks past busy listeners' backlogs by index, whatever their length: its
 * statements, run against 6 busy listeners with 5,000 due jobs each ahead of 200 other listeners,
 * are explained on each engine. The head of the due jobs is read in due order (a page, by its
 * LIMIT); every read past it is by a job's id or through the queues' index (jobs_queue_due),
 * never along the due order, which would step over the backlogs.
 */

const NOW = 1_800_000_000_000;
const BUSY = 6;
const BACKLOG = 5_000;
const OTHERS = 200;

/** The backlog, due oldest first: the busy listeners' jobs, then two of each other listener's, and submits. */
const backlog = sql`insert into jobs (id, kind, ref, queue, payload, state, run_at, attempts, locked_by, locked_until, deadline_at, last_error, created_at)
  with recursive n(i) as (select 0 union all select i + 1 from n where i < ${BUSY * BACKLOG + OTHERS * 2 + 999})
  select 'j' || i, case when i < ${BUSY * BACKLOG + OTHERS * 2} then 'webhook' else 'submit' end, 'r' || i,
    case when i < ${BUSY * BACKLOG} then 'listener:busy' || (i / ${BACKLOG}) when i < ${BUSY * BACKLOG + OTHERS * 2} then 'listener:other' || (i % ${OTHERS}) else null end,
    null, 'ready', cast(${NOW - 10_000_000} as bigint) + i, 0, null, null, cast(${NOW + 1_000_000} as bigint), null, cast(${NOW - 10_000_000} as bigint) + i
  from n`;

/** Claims past the busy listeners on `db`, and answers each select it ran (text and values). */
async function claimed(ctx: SqlContext, log: Array<{ sql: string; parameters: readonly unknown[] }>): Promise<void> {
  const jobs = await claimForListeners(ctx, {
    kinds: ['webhook'],
    workerId: 'w1',
    limit: 10,
    leaseMs: 60_000,
    now: NOW,
    freeSlots: (queue) => (queue.startsWith('listener:busy') ? 0 : 2),
  });
  assert.equal(jobs.length, 10);
  assert.ok(jobs.every((j) => j.queue?.startsWith('listener:other')));
  assert.ok(log.filter((q) => /^\s*(select|with)/i.test(q.sql)).length >= 3, 'the head, the queues and their jobs');
}

/** The statements that look past the head: all but the first select (the head page). */
const pastTheHead = (log: Array<{ sql: string; parameters: readonly unknown[] }>) => log.filter((q) => /^\s*(select|with)/i.test(q.sql)).slice(1);

test('SQLite: the listener claim reads jobs by index only, behind long backlogs', async () => {
  const log: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const file = new Database(':memory:');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: file }), plugins: [new InlineLimitPlugin()], log: (e: LogEvent) => void (e.level === 'query' && log.push(e.query)) });
  try {
    await runMigrations(db);
    await backlog.execute(db);
    log.length = 0;
    await claimed({ db, dialect: 'sqlite', write: (fn) => db.transaction().execute(fn) }, log);
    for (const q of pastTheHead(log)) {
      const plan = (file.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>).map((p) => p.detail);
      const reads = plan.filter((d) => /^(SCAN|SEARCH) (jobs|j)\b/.test(d));
      const unkeyed = reads.filter((d) => !/INDEX (jobs_queue_due|sqlite_autoindex_jobs_1 \(id=)/.test(d));
      assert.deepEqual(unkeyed, [], `${q.sql}\n${plan.join('\n')}`);
    }
  } finally {
    await db.destroy();
  }
});

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** The reads of the jobs table by neither a job's id nor the queues' index. */
function unkeyed(node: PlanNode, out: string[] = []): string[] {
  const keyed = node['Index Name'] === 'jobs_pkey' || node['Index Name'] === 'jobs_queue_due';
  if (node['Relation Name'] === 'jobs' && node['Node Type'] !== 'ModifyTable' && !keyed) out.push(`${node['Node Type']} ${node['Index Name'] ?? ''}`);
  for (const child of node.Plans ?? []) unkeyed(child, out);
  return out;
}

test('PostgreSQL: the listener claim reads jobs by index only, behind long backlogs', { skip: (await postgresReachable()) ? false : 'no PostgreSQL server' }, async () => {
  const database = await createTestDatabase();
  const log: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), log: (e: LogEvent) => void (e.level === 'query' && log.push(e.query)) });
  try {
    await runMigrations(db);
    await backlog.execute(db);
    await sql`analyze jobs`.execute(db);
    log.length = 0;
    await claimed({ db, dialect: 'postgres', write: (fn) => db.transaction().execute(fn) }, log);
    for (const q of pastTheHead(log)) {
      const { rows } = await pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json) ${q.sql}`, q.parameters as unknown[]);
      const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
      assert.ok(plan);
      assert.deepEqual(unkeyed(plan), [], `${q.sql}\n${JSON.stringify(plan, null, 1)}`);
    }
  } finally {
    await db.destroy();
    await database.drop();
  }
});
