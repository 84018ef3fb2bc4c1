import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/** A migrated SQLite store in a fresh directory (synchronous=NORMAL), closed and removed afterwards. */
export async function withSqliteStore(fn: (store: Store, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  const store = openSqliteStore({ file: join(dir, 'db.sqlite'), synchronous: 'NORMAL' });
  try {
    await store.migrate();
    await fn(store, dir);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
