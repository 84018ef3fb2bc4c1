import type { Kysely, Migration } from 'kysely';

/**
 * Each instance also records the settings that every instance on a database should share
 * (retention, retry windows, limits): one that differs is told at start.
 */
export const instanceSettings: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('instances').addColumn('settings', 'text').execute();
  },
};
