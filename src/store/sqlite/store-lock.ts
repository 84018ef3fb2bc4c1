/**
 * One serving process per SQLite store. Two gateways (or a gateway and a simulator SMSC) on one
 * file would both run its jobs, each syncing and checkpointing as if it were the only writer; the
 * second must not start.
 *
 * The lock is an exclusive SQLite lock on a file of its own beside the database, held for the
 * process's life. The OS drops it when the process ends however it ends (`kill -9` included), so
 * no stale lock needs clearing; SQLite also keeps it between two connections of one process. The
 * database file itself cannot carry it: WAL lets every connection in, and must (the checkpointer
 * thread; the CLI beside a running gateway).
 */
import BetterSqlite3 from 'better-sqlite3';

export interface StoreLock {
  release(): void;
}

/** Takes the lock on `file`, or returns false when another connection holds it. */
export function lockStore(file: string): StoreLock | false {
  const db = new BetterSqlite3(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw err;
  }
  return { release: () => db.close() };
}
