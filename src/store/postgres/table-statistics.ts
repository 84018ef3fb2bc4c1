import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Taken by the instance that analyses, so that instances sharing a database take turns. */
const ANALYZE_LOCK = 'switchboard_analyze';

/**
 * Whether a table changed enough since its statistics were taken to take them again: by half of
 * the rows it had then (at least one row). A table never analysed is left alone: PostgreSQL plans
 * it from its size on disk, which grows with it; once analysed, plans use the row count taken then.
 *
 * @example needsAnalyze(0, 1)    // true: analysed while empty, a row since
 * @example needsAnalyze(1000, 400) // false
 */
export function needsAnalyze(rowsWhenAnalysed: number, changedSince: number): boolean {
  if (rowsWhenAnalysed < 0) return false;
  return changedSince >= Math.max(1, rowsWhenAnalysed / 2);
}

/**
 * Keeps the statistics of the tables read on fixed plans (postgres-store.ts) close to their
 * contents. A plan kept for a connection's life is made from the statistics of its tables; taken
 * while a table was nearly empty, they make the planner read the whole table through another
 * index (the token's grant read every oauth_tokens row of its app index, filtered). A new ANALYZE
 * makes every connection plan its kept statements again, so the tables are analysed as they grow
 * (autovacuum does the same, later — at a tenth of a large table — and only where it is on).
 *
 * @example const stats = new TableStatistics(db, ['oauth_tokens', 'apps']); await stats.refresh();
 */
export class TableStatistics {
  readonly #db: Kysely<Database>;
  readonly #tables: readonly string[];

  constructor(db: Kysely<Database>, tables: readonly string[]) {
    this.#db = db;
    this.#tables = tables;
  }

  /** Analyses the tables that need it (see needsAnalyze); resolves to their names. */
  async refresh(): Promise<string[]> {
    const { rows } = await sql<{ table: string; analysed: number; changed: number }>`
      select c.relname as table, c.reltuples::float8 as analysed, s.n_mod_since_analyze::float8 as changed
      from pg_class c join pg_stat_user_tables s on s.relid = c.oid
      where c.relname = any(${[...this.#tables]}) and c.relnamespace = current_schema()::regnamespace`.execute(this.#db);
    const stale = rows.filter((r) => needsAnalyze(Number(r.analysed), Number(r.changed))).map((r) => r.table);
    if (stale.length === 0) return [];
    return this.#db.transaction().execute(async (trx) => {
      const { rows: lock } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(hashtext(${ANALYZE_LOCK})) as got`.execute(trx);
      if (lock[0]?.got !== true) return [];
      await sql`analyze ${sql.join(stale.map((t) => sql.id(t)))}`.execute(trx);
      return stale;
    });
  }
}
