import { closeSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { StoreUnavailableError } from '../store.js';

/** The copy a backup wrote. */
export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
}

/** Refused before anything is written: the target exists, or its directory does not. */
export class BackupTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupTargetError';
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The copy's own file beside `target` and SQLite's journal of it, as a backup killed mid-copy leaves them. */
const PARTIAL = /^\.[0-9a-f]{12}\.partial(-journal)?$/;

/** Removes what earlier backups to `file` left when they were killed (only this target's). */
function removeStalePartials(file: string): void {
  const name = basename(file);
  for (const entry of readdirSync(dirname(file))) {
    if (entry.startsWith(name) && PARTIAL.test(entry.slice(name.length))) rmSync(join(dirname(file), entry), { force: true });
  }
}

/** SQLITE_FULL, as it comes from the store's disk-full watch (see disk-full.ts) or bare. */
function isDiskFull(err: unknown): boolean {
  const cause = err instanceof StoreUnavailableError ? err.cause : err;
  return (cause as { code?: unknown } | undefined)?.code === 'SQLITE_FULL';
}

/**
 * Writes a consistent copy of the store to `target` while gateways keep writing to it: `VACUUM
 * INTO` reads one snapshot in a single read transaction, which WAL lets run beside writers (the
 * online backup API restarts whenever another connection writes, so under load it may never end).
 * The copy is written to a new file of its own (created exclusively: never a file or link someone
 * left there), synced, then linked in as `target`, which fails rather than replace anything that
 * appeared meanwhile: `target` is either absent or whole, even after a crash, and like the store
 * it is readable by its owner only. A backup killed mid-copy leaves its partial file; the next
 * backup to the same `target` removes it.
 */
export async function backupSqlite(db: Kysely<Database>, target: string): Promise<BackupResult> {
  const file = resolve(target);
  if (exists(file)) throw new BackupTargetError(`${file} exists; a backup never overwrites a file`);
  if (!isDirectory(dirname(file))) throw new BackupTargetError(`${dirname(file)} is not a directory`);
  removeStalePartials(file);
  const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
  // VACUUM INTO takes an existing file only when it is empty: this one carries the mode.
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    await sql`vacuum into ${partial}`.execute(db);
    fsyncPath(partial);
    linkSync(partial, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupTargetError(`${file} appeared while the backup ran; it was left alone`);
    // The copy's disk, not the store's: the watch's message would name the store.
    if (isDiskFull(err)) throw new Error(`disk full: the backup ${file} cannot be written; nothing was kept`, { cause: err });
    throw err;
  } finally {
    unlinkSync(partial);
  }
  fsyncPath(dirname(file));
  return { file, bytes: statSync(file).size };
}
