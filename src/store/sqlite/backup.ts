import { closeSync, existsSync, fsyncSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** The copy a backup wrote. */
export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
}

/** Refused before anything is written: the target exists (a backup never overwrites one). */
export class BackupTargetExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file} exists; a backup never overwrites a file`);
    this.name = 'BackupTargetExistsError';
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

/**
 * Writes a consistent copy of the store to `target` while gateways keep writing to it: `VACUUM
 * INTO` reads one snapshot in a single read transaction, which WAL lets run beside writers (the
 * online backup API restarts whenever another connection writes, so under load it may never end).
 * The copy is made under a temporary name, synced and then renamed, so `target` is either absent
 * or whole, even after a crash; like the store, it is readable by its owner only.
 */
export async function backupSqlite(db: Kysely<Database>, target: string): Promise<BackupResult> {
  const file = resolve(target);
  if (existsSync(file)) throw new BackupTargetExistsError(file);
  const partial = `${file}.partial`;
  // VACUUM INTO takes an existing file only when it is empty: this one carries the mode.
  closeSync(openSync(partial, 'w', 0o600));
  try {
    await sql`vacuum into ${partial}`.execute(db);
    fsyncPath(partial);
    renameSync(partial, file);
    fsyncPath(dirname(file));
  } catch (err) {
    if (existsSync(partial)) unlinkSync(partial);
    throw err;
  }
  return { file, bytes: statSync(file).size };
}
