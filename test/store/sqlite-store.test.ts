import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { runStoreContract } from './store.contract.js';

runStoreContract({
  name: 'sqlite',
  open: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
    const file = join(dir, 'switchboard.db');
    const store = openSqliteStore({ file, synchronous: 'NORMAL' });
    await store.migrate();
    const opened: Store[] = [store];
    return {
      store,
      // A second connection to the same file: SQLite serialises the writers, so single-statement
      // operations (claims, upserts) must still be exactly-once across handles.
      another: async () => {
        const next = openSqliteStore({ file, synchronous: 'NORMAL' });
        opened.push(next);
        return next;
      },
      dispose: async () => {
        for (const s of opened) await s.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});
