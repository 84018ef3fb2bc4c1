import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';
import { runMigrations } from '../sql/migrate.js';
import { createRepositories } from '../sql/repositories.js';
import { StoreRefusedError, type Store, type StoreLog } from '../store.js';
import { isRefusedConnection, reasonOf, redactedTarget } from './connection-errors.js';
import { JobNotifier, installJobsTrigger } from './job-notifier.js';
import { ResilientPool } from './resilient-pool.js';
import { TableStatistics } from './table-statistics.js';


export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  readonly url: string;
  /** Connections this process keeps at most. */
  readonly poolSize: number;
  /** How long to keep trying to reach the database, at start and for each connection later. */
  readonly connectRetryMs?: number;
  /**
   * How long a statement may wait for the server's answer (default 10 s): a server that stops
   * answering without closing the connection (frozen, a partition without a reset) would otherwise
   * hold every request for ever. Migrations run without it: building an index may take longer.
   */
  readonly queryTimeoutMs?: number;
  readonly log?: StoreLog;
}

const PING_TIMEOUT_MS = 2000;

/**
 * Connections for the statements of SqlContext.fixedPlanDb: each is planned once per connection
 * (`force_generic_plan`), where the other connections plan every run for its values (see
 * clientConfig below). Planning was a third of the accept statement's server time on the
 * benchmarks (bench/HISTORY.md, the 22:25 session). The foreign-key checks of their inserts are
 * planned once too, and a plan made while a table was small and analysed reads the whole table
 * for good: without sequential scans, the only plan left for a key check is its key's index.
 */
export const FIXED_PLAN_OPTIONS = '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off';
/**
 * The tables the statements on fixed plans read (test/store/fixed-plans.test.ts checks the list):
 * their statistics are taken again as they grow (TableStatistics), which makes those plans anew.
 */
export const FIXED_PLAN_TABLES = ['oauth_tokens', 'apps', 'short_codes', 'handsets'] as const;
/** How often the statistics of FIXED_PLAN_TABLES are looked at. */
const STATISTICS_EVERY_MS = 5000;
/** Its statements are coalesced, one batch in flight each (see coalesce.ts): a few connections suffice. */
const FIXED_PLAN_POOL_SIZE = 4;
const RETRY_WARNING_EVERY_MS = 5000;
const INT8 = 20;
const NUMERIC = 1700;

/**
 * Our columns hold epoch milliseconds and counters in int8, which `pg` returns as strings by
 * default; SQLite returns numbers. Parse them as numbers (exact below 2^53) for this pool only,
 * leaving the process-wide `pg.types` alone. `sum()` over int8 yields numeric: same treatment.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown => {
    if ((oid === INT8 || oid === NUMERIC) && format !== 'binary') return Number;
    return pg.types.getTypeParser(oid, format) as unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The shared store: PostgreSQL through a `pg` pool, the same Kysely repositories as SQLite. Several
 * gateway instances may open it at once: migrations take Kysely's advisory lock, job claims use
 * `FOR UPDATE SKIP LOCKED`, and commits that add jobs wake idle workers everywhere via NOTIFY.
 * Fails with one line naming the server when the database cannot be reached.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { url, poolSize, log } = options;
  const retryForMs = options.connectRetryMs ?? 5000;
  const target = redactedTarget(url);
  const clientConfig: pg.ClientConfig = {
    connectionString: url,
    types,
    application_name: 'switchboard',
    // Our named statements (see StatementNames) are planned for their values on every run. The
    // generic plan PostgreSQL settles on after five runs is chosen while a fresh database's
    // tables are nearly empty, and kept: hash joins over whole tables, ≈ 2–3.5 ms per receipt
    // statement on the benchmark, where a plan for the values takes ≈ 0.1 ms.
    options: '-c plan_cache_mode=force_custom_plan',
    keepAlive: true,
    connectionTimeoutMillis: 5000,
  };
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  let started = false;
  // Every statement waiting for a connection retries on its own: one line per few seconds says it.
  let warnedAt = 0;
  let retriesUntold = 0;
  const resilientPool = (config: pg.PoolConfig) => {
    const pool = new pg.Pool({ ...config, query_timeout: queryTimeoutMs, idleTimeoutMillis: 30_000 });
    // An idle connection that the server closed (restart, failover) is dropped by the pool; without
    // this listener the 'error' event would end the process.
    pool.on('error', (err) => log?.warn({ reason: reasonOf(err), database: target }, 'database connection lost; the pool drops it'));
    const resilient = new ResilientPool({
      pool,
      retryForMs,
      queryTimeoutMs,
      // Quiet until started: an unreachable database at start is reported once, by the throw below.
      onRetry: (reason) => {
        if (!started) return;
        retriesUntold++;
        if (Date.now() - warnedAt < RETRY_WARNING_EVERY_MS) return;
        log?.warn({ reason, database: target, retries: retriesUntold }, 'database unreachable; retrying');
        warnedAt = Date.now();
        retriesUntold = 0;
      },
    });
    return { pool, resilient };
  };
  const { pool, resilient } = resilientPool({ ...clientConfig, max: poolSize });
  const fixed = resilientPool({ ...clientConfig, options: FIXED_PLAN_OPTIONS, max: FIXED_PLAN_POOL_SIZE });

  let autovacuum: string | undefined;
  try {
    const client = await resilient.acquire();
    try {
      autovacuum = (await client.query<{ autovacuum: string }>("select current_setting('autovacuum') as autovacuum")).rows[0]?.autovacuum;
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    await fixed.pool.end().catch(() => undefined);
    const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
    const message = `cannot reach PostgreSQL at ${target}: ${reasonOf(cause)}`;
    throw isRefusedConnection(cause) ? new StoreRefusedError(message, { cause: err }) : new Error(message, { cause: err });
  }
  started = true;
  // Jobs, messages and notifications are rows written and deleted all day: without autovacuum
  // their dead rows pile up (≈ 13 MB a minute at 100 messages a second) and every read slows.
  if (autovacuum === 'off') log?.warn({ database: target }, 'autovacuum is off on this PostgreSQL server: the job, message and notification tables will bloat unless you VACUUM them yourself');

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: resilient }) });
  const fixedPlanDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: fixed.resilient }) });
  const statistics = new TableStatistics(db, FIXED_PLAN_TABLES);
  // Errors are left to the statements that run meanwhile: an unreachable database is logged there.
  const statisticsTimer = setInterval(() => void statistics.refresh().catch(() => undefined), STATISTICS_EVERY_MS).unref();
  const notifier = new JobNotifier({
    clientConfig,
    onError: (reason) => log?.warn({ reason, database: target }, 'job notification connection lost; reconnecting'),
  });
  return {
    // Each write is its own transaction on a pooled connection: PostgreSQL already shares WAL
    // flushes between concurrent commits, and queueing writes behind one connection would not.
    ...createRepositories({ db, fixedPlanDb, dialect: 'postgres', write: (fn) => db.transaction().execute(fn) }),
    engine: 'postgres',
    migrate: async () => {
      const migrations = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...clientConfig, max: 1 }) }) });
      try {
        const applied = await runMigrations(migrations);
        await installJobsTrigger(migrations);
        return applied;
      } finally {
        await migrations.destroy();
      }
    },
    // Straight to the pool, without the retries: a health check must answer now.
    ping: async () => {
      const client = await pool.connect();
      let failed = false;
      const onError = () => {
        failed = true;
      };
      client.on('error', onError);
      try {
        // A health check answers within the pool's connect timeout and this, frozen server or not
        // (pg reads a query's own query_timeout; its type declarations do not name it).
        const probe: pg.QueryConfig & { query_timeout: number } = { text: 'select 1', query_timeout: Math.min(queryTimeoutMs, PING_TIMEOUT_MS) };
        await client.query(probe);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(failed);
      }
    },
    onJobsAvailable: (kinds, listener) => notifier.subscribe(kinds, listener),
    close: async () => {
      clearInterval(statisticsTimer);
      await notifier.close();
      await fixedPlanDb.destroy();
      await db.destroy();
    },
  };
}
