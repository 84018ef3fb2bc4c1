import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { WriteFn } from './group-commit.js';

/** What every SQL repository needs: the query builder and which engine runs it. */
export interface SqlContext {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in a transaction and resolves once it is durable. Use it for the hot write paths
   * (API accepts, receipts, acks): on SQLite writes that arrive together share one commit (group
   * commit, see group-commit.ts); `fn` may run inside a savepoint of a larger transaction, so it
   * must not commit or roll back itself.
   */
  write<T>(fn: WriteFn<T>): Promise<T>;
}
