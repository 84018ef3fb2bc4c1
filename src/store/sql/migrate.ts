import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { migrationProvider } from '../migrations/index.js';
import type { Database } from '../schema.js';
import { StoreRefusedError } from '../store.js';

/** Kysely's record of the migrations that ran (its default table). */
const MIGRATION_TABLE = 'kysely_migration';

/**
 * How long a process waits on SQLite for another one's migration (or any write) to end before it
 * gives up: an upgrade of a large store rebuilds indexes, which takes longer than a write.
 */
const SQLITE_LOCK_WAIT_MS = 60_000;

/**
 * Runs the pending migrations; answers the names of those it applied, oldest first. They are
 * applied all or none: one that fails, or a process that dies meanwhile, leaves the store as it was.
 */
export async function runMigrations(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await migrateToLatest(db);
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const newer = await unknownMigration(db);
    // Kysely refuses before running anything ("corrupted migrations: … is missing"): an older
    // Switchboard on a store a newer one upgraded, which only that newer code can serve.
    if (newer !== undefined) {
      throw new StoreRefusedError(`the store was migrated by a newer Switchboard (migration ${newer}, unknown to this version): run that version or a newer one on it; the store was left unchanged`);
    }
    const reason = error instanceof Error ? error.message : 'unknown error';
    // A failure outside any one migration: taking the lock, Kysely's own tables, the commit.
    const what = failed === undefined ? 'migrating the store' : `migration ${failed.migrationName}`;
    throw new Error(`${what} failed: ${reason}; the store was left unchanged`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Kysely's migrateToLatest, atomic and one process at a time. PostgreSQL: Kysely itself takes an
 * advisory lock and runs the pending migrations in one transaction. SQLite: Kysely's adapter says
 * it has no transactional DDL and takes no lock (it assumes one connection), so each statement
 * would commit on its own — a migration cut short (a full disk, kill -9) left its tables without
 * its record, and every later start failed on them, and two processes migrating one store at once
 * (a gateway's first start beside a CLI store command) ran the same migration twice. SQLite has
 * transactional DDL: the whole run goes in one BEGIN IMMEDIATE transaction, which also makes a
 * second process wait for the first and then read the migrations it recorded.
 */
async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  if (db.getExecutor().adapter.supportsTransactionalDdl) return new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  // Every CLI store command migrates first, beside a running gateway whose writes wait for the
  // lock meanwhile (on its event loop: SQLite's busy wait is synchronous). A store already up to
  // date needs no lock to see so: a migration's record commits with the migration.
  if (await upToDate(db)) return { results: [] };
  return db.connection().execute(async (conn) => {
    try {
      await beginImmediate(conn);
    } catch (error) {
      return { error };
    }
    const result = await new Migrator({ db: conn, provider: migrationProvider }).migrateToLatest();
    if (result.error === undefined) {
      try {
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        return { error };
      }
    }
    // Some errors (a full disk, among others) end the transaction on their own: nothing left to roll back.
    await sql`rollback`.execute(conn).catch(() => undefined);
    return result;
  });
}

/** Takes SQLite's write lock, waiting up to SQLITE_LOCK_WAIT_MS for another process to release it. */
async function beginImmediate(conn: Kysely<Database>): Promise<void> {
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (;;) {
    try {
      // Each attempt waits the connection's busy timeout first.
      await sql`begin immediate`.execute(conn);
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY') throw err;
      if (Date.now() >= deadline) {
        throw new Error(`another process has held the store's write lock for over ${SQLITE_LOCK_WAIT_MS / 1000} s (another Switchboard migrating a large store?); start again once it is done`, { cause: err });
      }
    }
  }
}

/** Whether the store has run exactly the migrations this code has (no more, no fewer). */
async function upToDate(db: Kysely<Database>): Promise<boolean> {
  const known = Object.keys(await migrationProvider.getMigrations());
  const ran = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`
    .execute(db)
    .then((r) => new Set(r.rows.map((row) => row.name)), () => undefined);
  return ran !== undefined && ran.size === known.length && known.every((name) => ran.has(name));
}

/** The last migration recorded in the store that this code does not have, if any. */
async function unknownMigration(db: Kysely<Database>): Promise<string | undefined> {
  const known = await migrationProvider.getMigrations();
  const ran = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name desc`
    .execute(db)
    .then((r) => r.rows, () => []);
  return ran.map((r) => r.name).find((name) => !(name in known));
}
