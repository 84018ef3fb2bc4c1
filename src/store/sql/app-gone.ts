import { AppGoneError } from '../store.js';

/** PostgreSQL's (23503) and SQLite's error for a row whose foreign key names no row. */
function isForeignKeyViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  return err.code === '23503' || err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * Runs a write of rows that belong to `appId` and whose only foreign key a request can miss is
 * their app's: a violation means the app was deleted meanwhile, and is thrown as AppGoneError.
 * Telling it from the error costs the hot path no statement (reading the app first would).
 */
export async function writeForApp<T>(appId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw isForeignKeyViolation(err) ? new AppGoneError(appId, { cause: err }) : err;
  }
}
