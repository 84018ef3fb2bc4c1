import type { Kysely, Migration } from 'kysely';

/**
 * Webhook notifications (MO callbacks, delivery notifications). Each row has one `webhook` job
 * (ref = notification id) that carries its schedule; the row is deleted once a listener acks it.
 */
export const notifications: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('short_code', 'text')
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notifications_app').on('notifications').columns(['app_id', 'created_at']).execute();
  },
};
