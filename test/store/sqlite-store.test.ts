import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runStoreContract } from './store.contract.js';

runStoreContract({
  name: 'sqlite',
  open: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
    const file = join(dir, 'switchboard.db');
    const store = openSqliteStore({ file, synchronous: 'NORMAL' });
    await store.migrate();
    return {
      store,
      // Deviation: an SQLite database is written by one process, so "another instance" is the same
      // store; the concurrency cases then show its own concurrent callers are served exactly once.
      // (Two handles on one file would block each other's transactions: better-sqlite3 waits
      // synchronously on the file lock while the other handle's transaction awaits the event loop.)
      another: async () => store,
      dispose: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});
