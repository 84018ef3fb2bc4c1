import { join } from 'node:path';
import { ConfigError, type Config } from '../config.js';
import type { Store, StoreLog } from './store.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore, StoreInUseError } from './sqlite/sqlite-store.js';

/** The SQLite store's file in the data dir. */
export function sqliteFile(config: Config): string {
  return join(config.dataDir, 'switchboard.db');
}

/**
 * Opens the configured store: PostgreSQL when a database URL is set, else SQLite in the data dir.
 * A serving process (`serving`: the gateway, the simulator SMSC) is the only one on a SQLite store;
 * several instances share a store only on PostgreSQL.
 */
export async function openStore(config: Config, log?: StoreLog, { serving = false } = {}): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    return openPostgresStore({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      connectRetryMs: config.databaseRetryMs,
      queryTimeoutMs: config.databaseQueryTimeoutMs,
      log,
    });
  }
  try {
    return openSqliteStore({ file: sqliteFile(config), synchronous: config.sqliteSynchronous, exclusive: serving, log });
  } catch (err) {
    if (err instanceof StoreInUseError) {
      throw new ConfigError(
        'SWITCHBOARD_DATA_DIR',
        `${config.dataDir} is in use by another gateway or simulator SMSC; give each process its own data dir, or share a PostgreSQL database (SWITCHBOARD_DATABASE_URL) to run several instances`,
      );
    }
    // Not writable, a file where the directory should be, not a database: the setting names the
    // place, so the line does too (SQLite's own "unable to open database file" names neither).
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'not a directory' : err instanceof Error ? err.message : String(err);
    throw new ConfigError('SWITCHBOARD_DATA_DIR', `cannot keep the SQLite store in ${config.dataDir}: ${why}`);
  }
}
