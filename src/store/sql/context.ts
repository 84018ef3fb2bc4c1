import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** What every SQL repository needs: the query builder and which engine runs it. */
export interface SqlContext {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
}
