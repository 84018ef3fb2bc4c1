import { existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config.js';
import type { Store, StoreLog } from './store.js';

/** The SQLite store's file in the data dir. */
export function sqliteFile(config: Config): string {
  return join(config.dataDir, 'switchboard.db');
}

/** Below this much free space a store that fails to open is taken to have failed for want of it. */
const FULL_DISK_BYTES = 1024 * 1024;

function freeBytes(dir: string): number | undefined {
  try {
    const { bavail, bsize } = statfsSync(dir);
    return bavail * bsize;
  } catch {
    return undefined;
  }
}

/**
 * Opens the configured store: PostgreSQL when a database URL is set, else SQLite in the data dir.
 * A serving process (`serving`: the gateway, the simulator SMSC) is the only one on a SQLite store;
 * several instances share a store only on PostgreSQL.
 */
export async function openStore(config: Config, log?: StoreLog, { serving = false } = {}): Promise<Store> {
  // Each store's driver loads only when it is the one configured: a process (each CLI command
  // among them) loads one of them, not both.
  if (config.databaseUrl !== undefined) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    return openPostgresStore({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      connectRetryMs: config.databaseRetryMs,
      queryTimeoutMs: config.databaseQueryTimeoutMs,
      log,
    });
  }
  const { openSqliteStore, StoreInUseError } = await import('./sqlite/sqlite-store.js');
  let store: Store;
  try {
    store = openSqliteStore({ file: sqliteFile(config), synchronous: config.sqliteSynchronous, exclusive: serving, log });
  } catch (err) {
    if (err instanceof StoreInUseError) {
      throw new ConfigError(
        'SWITCHBOARD_DATA_DIR',
        `${config.dataDir} is in use by another gateway or simulator SMSC; give each process its own data dir, or share a PostgreSQL database (SWITCHBOARD_DATABASE_URL) to run several instances`,
      );
    }
    throw fullDisk(config) ?? storeError(config, err);
  }
  // A migration is all or nothing (migrate.ts), so starting again once space is freed works.
  return {
    ...store,
    migrate: async () => {
      try {
        return await store.migrate();
      } catch (err) {
        throw fullDisk(config) ?? err;
      }
    },
  };
}

/**
 * The error of a store that failed on a nearly full disk: SQLite says "disk I/O error" or
 * "database or disk is full" when it cannot grow its files, which names neither the cause nor the
 * way out. Undefined when there is space.
 */
function fullDisk(config: Config): ConfigError | undefined {
  const free = freeBytes(config.dataDir);
  if (free === undefined || free >= FULL_DISK_BYTES) return undefined;
  return new ConfigError(
    'SWITCHBOARD_DATA_DIR',
    `cannot keep the SQLite store in ${config.dataDir}: the disk is full (${free} bytes free); free space there (or move the data dir to a larger disk) and start again`,
  );
}

/**
 * Why the SQLite store could not be opened — not writable, a file where the directory should be,
 * not a database — naming the place, as the setting does (SQLite's own "unable to open database
 * file" names neither), with the way out where it is known.
 */
function storeError(config: Config, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'not a directory' : err instanceof Error ? err.message : String(err);
  const file = sqliteFile(config);
  // A restore that put a backup in place but kept the old store's log, which SQLite then applies
  // to pages it does not belong to (the README's restore steps say to remove it).
  const hint =
    code === 'SQLITE_CORRUPT' && existsSync(`${file}-wal`)
      ? `; if switchboard.db was restored from a backup, ${file}-wal is the old store's log: remove it and switchboard.db-shm, then start again`
      : '';
  return new ConfigError('SWITCHBOARD_DATA_DIR', `cannot keep the SQLite store in ${config.dataDir}: ${why}${hint}`);
}
