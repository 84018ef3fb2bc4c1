import type { Kysely, Migration } from 'kysely';

/**
 * The gateway processes serving one database, each refreshing its row while it runs (see
 * src/instances/registry.ts): a start can see what the others send through.
 */
export const instances: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('instances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('pid', 'integer', (c) => c.notNull())
      .addColumn('network', 'text', (c) => c.notNull())
      .addColumn('smsc', 'text')
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
