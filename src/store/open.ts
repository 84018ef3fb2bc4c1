import { join } from 'node:path';
import { ConfigError, type Config } from '../config.js';
import type { Store } from './store.js';
import { openPostgresStore, type StoreLog } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

/** Opens the configured store: PostgreSQL when a database URL is set, else SQLite in the data dir. */
export async function openStore(config: Config, log?: StoreLog): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    return openPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize, connectRetryMs: config.databaseRetryMs, log });
  }
  try {
    return openSqliteStore({ file: join(config.dataDir, 'switchboard.db'), synchronous: config.sqliteSynchronous });
  } catch (err) {
    // Not writable, a file where the directory should be, not a database: the setting names the
    // place, so the line does too (SQLite's own "unable to open database file" names neither).
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'not a directory' : err instanceof Error ? err.message : String(err);
    throw new ConfigError('SWITCHBOARD_DATA_DIR', `cannot keep the SQLite store in ${config.dataDir}: ${why}`);
  }
}
