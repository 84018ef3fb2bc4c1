import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { WriteFn } from './group-commit.js';

/** What every SQL repository needs: the query builder and which engine runs it. */
export interface SqlContext {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * PostgreSQL: the same database through connections that plan a statement once and keep that
   * plan (see postgres-store.ts), for hot statements whose plan cannot depend on their values:
   * inserts of the rows they are given, and reads by key of tables in FIXED_PLAN_TABLES, whose
   * statistics the store takes again as they grow (a plan made while a table was nearly empty
   * reads all of it). Anything else stays on `db` (test/store/fixed-plans.test.ts checks the
   * statements sent here).
   */
  readonly fixedPlanDb?: Kysely<Database>;
  /**
   * Runs `fn` in a transaction and resolves once it is durable. Use it for the hot write paths
   * (API accepts, receipts, acks): on SQLite writes that arrive together share one commit (group
   * commit, see group-commit.ts); `fn` may share its transaction with other writes, so it must
   * not commit or roll back itself, and may run again when another write of its batch failed, so
   * it must have no effect outside the store.
   */
  write<T>(fn: WriteFn<T>): Promise<T>;
}

/**
 * A durable write of exactly one statement. On PostgreSQL a lone statement is its own atomic
 * transaction, so it runs without BEGIN and COMMIT: one round trip instead of three, and the
 * pooled connection is held for one. On SQLite it goes through `write` (the group commit).
 */
export function writeOne<T>(ctx: SqlContext, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return ctx.dialect === 'postgres' ? fn(ctx.db) : ctx.write(fn);
}
