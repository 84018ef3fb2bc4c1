import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

/** Opens the configured store: PostgreSQL when a database URL is set, else SQLite in the data dir. */
export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    throw new Error('SWITCHBOARD_DATABASE_URL: the PostgreSQL store is not available yet');
  }
  return openSqliteStore({ file: join(config.dataDir, 'switchboard.db'), synchronous: config.sqliteSynchronous });
}
