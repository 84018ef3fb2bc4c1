import { Migrator, sql, type Kysely } from 'kysely';
import { migrationProvider } from '../migrations/index.js';
import type { Database } from '../schema.js';

/** Kysely's record of the migrations that ran (its default table). */
const MIGRATION_TABLE = 'kysely_migration';

/** Runs the pending migrations; answers the names of those it applied, oldest first. */
export async function runMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const newer = await unknownMigration(db);
    // Kysely refuses before running anything ("corrupted migrations: … is missing"): an older
    // Switchboard on a store a newer one upgraded, which only that newer code can serve.
    if (newer !== undefined) {
      throw new Error(`the store was migrated by a newer Switchboard (migration ${newer}, unknown to this version): run that version or a newer one on it; the store was left unchanged`);
    }
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The last migration recorded in the store that this code does not have, if any. */
async function unknownMigration(db: Kysely<Database>): Promise<string | undefined> {
  const known = await migrationProvider.getMigrations();
  const ran = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name desc`
    .execute(db)
    .then((r) => r.rows, () => []);
  return ran.map((r) => r.name).find((name) => !(name in known));
}
