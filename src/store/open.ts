import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Store } from './store.js';
import { openPostgresStore, type StoreLog } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

/** Opens the configured store: PostgreSQL when a database URL is set, else SQLite in the data dir. */
export async function openStore(config: Config, log?: StoreLog): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    return openPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize, connectRetryMs: config.databaseRetryMs, log });
  }
  return openSqliteStore({ file: join(config.dataDir, 'switchboard.db'), synchronous: config.sqliteSynchronous });
}
