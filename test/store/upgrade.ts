import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Dialect, Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrations } from '../../src/store/migrations/index.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';

/**
 * A test per engine of migration `name` on a store a release before it made: the database is
 * migrated up to `name`, `seed` writes what that release would have, then the store is opened
 * and `check` runs (after it has migrated the store, `name` first).
 */
export async function testUpgrade(name: string, title: string, seed: (db: Kysely<unknown>) => Promise<void>, check: (store: Store) => Promise<void>): Promise<void> {
  const postgres = await postgresReachable();
  const upgraded = async (store: Store) => {
    assert.equal((await store.migrate())[0], name, 'and any later ones after it');
    await check(store);
  };

  test(`${name} on SQLite: ${title}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
    const file = join(dir, 'switchboard.db');
    try {
      await storeBefore(name, new SqliteDialect({ database: new BetterSqlite3(file) }), seed);
      const store = openSqliteStore({ file, synchronous: 'NORMAL' });
      try {
        await upgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test(`${name} on PostgreSQL: ${title}`, { skip: postgres ? false : 'no PostgreSQL server' }, async () => {
    const database = await createTestDatabase();
    try {
      await storeBefore(name, new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }), seed);
      const store = await openPostgresStore({ url: database.url, poolSize: 2 });
      try {
        await upgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
}

async function storeBefore(name: string, dialect: Dialect, seed: (db: Kysely<unknown>) => Promise<void>): Promise<void> {
  const db = new Kysely<unknown>({ dialect });
  try {
    const before = Object.fromEntries(Object.entries(migrations).filter(([m]) => m < name));
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest();
    assert.ifError(error);
    await seed(db);
  } finally {
    await db.destroy();
  }
}
