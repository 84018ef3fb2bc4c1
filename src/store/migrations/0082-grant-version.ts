import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

/** The tables an access grant is read from (see sql/tokens.ts). */
const GRANT_TABLES = ['oauth_tokens', 'apps', 'short_codes'] as const;

/**
 * SQLite: a counter that every change to a grant's tables moves, kept by triggers, so the grants
 * read once can be served again while it stands still. Triggers see every writer of the file
 * (another process, a cascade from a deleted app), which a counter kept by the repositories
 * would not. PostgreSQL reads the grant each time (concurrent requests share one query there),
 * so it gets nothing.
 */
export const grantVersion: Migration = {
  async up(db: Kysely<unknown>) {
    if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
    await db.schema
      .createTable('grant_version')
      .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await sql`insert into grant_version (id, version) values (1, 0)`.execute(db);
    for (const table of GRANT_TABLES) {
      for (const event of ['insert', 'update', 'delete'] as const) {
        await sql
          .raw(`create trigger ${table}_${event}_grant_version after ${event} on ${table} begin update grant_version set version = version + 1 where id = 1; end`)
          .execute(db);
      }
    }
  },
};
