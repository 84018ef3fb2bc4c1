import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { migratedDatabase, recycleMigratedDatabase, withClient } from './migrated-store.js';

/**
 * Where the PostgreSQL tests create their databases: a server and a role allowed to CREATE
 * DATABASE. `.ci/run` sets SWITCHBOARD_TEST_DATABASE_URL; locally the same role is the default.
 */
export const TEST_DATABASE_URL =
  process.env.SWITCHBOARD_TEST_DATABASE_URL ?? 'postgres://switchboard:switchboard@127.0.0.1:5432/switchboard_test';

/** True when the test server answers (the PostgreSQL store tests skip themselves otherwise). */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const maintenance = <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => withClient(TEST_DATABASE_URL, fn);

export interface TestDatabase {
  /** Connection URL of the database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database (a migrated one is emptied for the next test), ending any connection still open to it. */
  drop(): Promise<void>;
}

/**
 * Prefix of the databases this test run creates. scripts/run-tests.mjs gives each run its own
 * (`sbt_<run>_`) and drops whatever is left with it at the end (a file killed by its timeout never
 * reaches its `after`).
 */
const PREFIX = /^sbt_[a-z0-9_]*$/.test(process.env.SWITCHBOARD_TEST_DB_PREFIX ?? '') ? (process.env.SWITCHBOARD_TEST_DB_PREFIX as string) : 'sbt_';

/**
 * Creates a fresh database `sbt_<random>` on the test server, for one test gateway or suite: empty,
 * or with `migrated`, a copy of a template the store's migrations already ran on.
 */
export async function createTestDatabase({ migrated = false } = {}): Promise<TestDatabase> {
  const fresh = `${PREFIX}${randomBytes(6).toString('hex')}`;
  const name = migrated ? await migratedDatabase(TEST_DATABASE_URL, PREFIX, fresh) : fresh;
  if (!migrated) await maintenance((c) => c.query(`create database ${name}`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  const dropNow = () =>
    maintenance(async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
    });
  return {
    url: url.toString(),
    name,
    drop: () => {
      // A migrated one is emptied for the next test instead (migrated-store.ts).
      dropped ??= migrated ? recycleMigratedDatabase(TEST_DATABASE_URL, name).catch(dropNow) : dropNow();
      return dropped;
    },
  };
}

/**
 * A migrated PostgreSQL store of its own and a second session on its database, as another
 * instance holds one: for races where that instance's write commits while the store waits.
 */
export async function withStoreAndOtherSession(fn: (store: Store, other: pg.Client) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const store = await openPostgresStore({ url: database.url, poolSize: 4 });
  const other = new pg.Client({ connectionString: database.url });
  try {
    await store.migrate();
    await other.connect();
    await fn(store, other);
  } finally {
    await other.end().catch(() => undefined);
    await store.close();
    await database.drop();
  }
}
