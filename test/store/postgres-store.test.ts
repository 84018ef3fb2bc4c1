import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, postgresReachable, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { runStoreContract } from './store.contract.js';

// In CI a missing server is a failure (run-tests checks it first); elsewhere the suite says why it skipped.
const reachable = await postgresReachable();

runStoreContract({
  name: 'postgres',
  skip: reachable ? false : `no PostgreSQL at ${new URL(TEST_DATABASE_URL).host} (set SWITCHBOARD_TEST_DATABASE_URL)`,
  open: async () => {
    const database = await createTestDatabase();
    const opened: Store[] = [];
    const openOne = async () => {
      const store = await openPostgresStore({ url: database.url, poolSize: 4 });
      opened.push(store);
      return store;
    };
    const store = await openOne();
    await store.migrate();
    return {
      store,
      another: openOne,
      dispose: async () => {
        for (const s of opened) await s.close();
        await database.drop();
      },
    };
  },
});
