import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import type { SqliteSynchronous } from '../../config.js';
import type { Database } from '../schema.js';
import type { Store, StoreLog } from '../store.js';
import { runMigrations } from '../sql/migrate.js';
import { GroupCommitter } from '../sql/group-commit.js';
import { releaseLeases } from '../sql/jobs.js';
import { createRepositories } from '../sql/repositories.js';
import { backupSqlite } from './backup.js';
import { Checkpointer } from './checkpointer.js';
import { DiskFullWatch } from './disk-full.js';
import { lockStore, type StoreLock } from './store-lock.js';
import { StoreSqliteDialect } from './store-dialect.js';
import { InlineLimitPlugin } from './inline-limit.js';
import { withStatementCache } from './statement-cache.js';
import { WalFlusher, type SyncFile } from './wal-flusher.js';

export interface SqliteStoreOptions {
  /** Path of the database file. */
  readonly file: string;
  /** FULL survives power loss; NORMAL only a process crash (WAL either way). */
  readonly synchronous: SqliteSynchronous;
  /** How the log is synced with FULL (an `fdatasync` on the thread pool); tests watch it. */
  readonly syncFile?: SyncFile;
  /**
   * A serving process (gateway, simulator SMSC) holds the store's lock until it closes and is
   * refused if another holds it; the CLI's short store commands run beside it without.
   */
  readonly exclusive?: boolean;
  /** Told when the disk fills up and when the store writes again. */
  readonly log?: StoreLog;
}

/** Another serving process holds the store (see store-lock.ts). */
export class StoreInUseError extends Error {
  constructor(file: string) {
    super(`${file} is in use by another Switchboard process`);
    this.name = 'StoreInUseError';
  }
}

/** SQLite's own default log length for a checkpoint: the worker keeps the log near it, and SQLite does if the worker cannot run. */
const AUTO_CHECKPOINT_PAGES = 1000;

/** The data dir and store files that others than their owner may read: older releases made them 0755 and 0644. */
function openToOthers(file: string): string[] {
  return [dirname(file), file, `${file}-wal`, `${file}-shm`].filter((path) => {
    try {
      return (statSync(path).mode & 0o077) !== 0;
    } catch {
      return false;
    }
  });
}

/**
 * Creates the data dir (0700) and whatever levels above it are missing, after finding the nearest
 * one that exists and checking it is a directory, one plain mkdir a level. Not a recursive mkdir:
 * Node 20's spins for ever, a core busy and nothing said, on a parent that exists but answers
 * ENOENT to mkdir (`/proc/nope`); here every refusal is mkdir's or stat's error.
 */
function makeDataDir(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || dirname(at) === at) throw err;
      missing.unshift(at);
      continue;
    }
    // The code the caller turns into "not a directory", as it did mkdir's.
    if (!isDir) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
    break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level, { mode: 0o700 });
    } catch (err) {
      // Another process (a CLI command beside a first start) made it meanwhile.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw err;
    }
  }
}

/**
 * The embedded store: one SQLite file in WAL mode, written by this process only. With FULL the
 * connection itself runs NORMAL and every write's caller waits for an off-thread sync of the log
 * (WalFlusher): as durable as SQLite's own FULL, without an fsync on the event loop per commit.
 * Checkpoints run on a worker thread (Checkpointer) for the same reason.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  // First: a data dir that cannot be one (a regular file) is that error, not a chmod warning before it.
  makeDataDir(dirname(options.file));
  // Message text and webhook signing secrets live here: a new store is for its owner's eyes only
  // (SQLite gives the log and shared-memory files the database file's mode). Existing ones keep
  // theirs: the owner is told, since changing a user's file modes is theirs to do.
  const exposed = openToOthers(options.file);
  if (exposed.length > 0) {
    options.log?.warn(
      { paths: exposed },
      `the data dir or store files are readable by other users (a dir made by hand or files from an older release; new ones are 0700/0600): chmod 700 ${dirname(options.file)} && chmod 600 ${options.file}*`,
    );
  }
  if (!existsSync(options.file)) closeSync(openSync(options.file, 'a', 0o600));
  const lock = options.exclusive === true ? lockStore(`${options.file}.lock`) : undefined;
  if (lock === false) throw new StoreInUseError(options.file);
  try {
    return open(options, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

function open(options: SqliteStoreOptions, lock: StoreLock | undefined): Store {
  const database = new BetterSqlite3(options.file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // A log that grew during a burst is cut back once it restarts.
  database.pragma('journal_size_limit = 67108864');
  database.pragma('wal_autocheckpoint = 0');
  const checkpointer = new Checkpointer(options.file, {
    fallBack: () => database.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`),
    // Kysely hands its one SQLite connection to one caller at a time: holding it parks every query.
    hold: (fn) => db.connection().execute(fn),
    restartFrames: AUTO_CHECKPOINT_PAGES,
  });
  const flusher = options.synchronous === 'FULL' ? new WalFlusher(`${options.file}-wal`, options.syncFile) : undefined;
  const onWrite = () => {
    flusher?.markDirty();
    checkpointer.noteWrite();
  };
  const diskFull = new DiskFullWatch(options.file, options.log);
  const config = { database: withStatementCache(database, onWrite, (statement) => diskFull.guard(statement)) };
  const dialect = new StoreSqliteDialect(config, flusher);
  const db = new Kysely<Database>({ dialect, plugins: [new InlineLimitPlugin()] });
  const committer = new GroupCommitter(db, { durable: () => flusher?.whenDurable() });
  const repositories = createRepositories({ db, dialect: 'sqlite', write: (fn) => committer.run(fn) });
  return {
    ...repositories,
    engine: 'sqlite',
    migrate: () => runMigrations(db),
    ping: async () => {
      diskFull.check();
      await sql`select 1`.execute(db);
    },
    // Only the serving process holds the lock; the CLI's store commands run beside it.
    releaseLeases: lock === undefined ? undefined : (now) => committer.run((trx) => releaseLeases(trx, now)),
    backup: (file) => backupSqlite(db, file),
    close: async () => {
      await checkpointer.close();
      await db.destroy();
      flusher?.close();
      lock?.release();
    },
  };
}
