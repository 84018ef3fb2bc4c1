import type { Kysely, Migration } from 'kysely';

/**
 * A console session remembers the digest of the admin token it signed in with, so rotating the
 * token (or changing SWITCHBOARD_ADMIN_TOKEN) ends every session of the old one. Sessions from
 * before this have none and end at once: their holders sign in again.
 */
export const consoleSessionAdmin: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('console_sessions').addColumn('admin_digest', 'text').execute();
  },
};
