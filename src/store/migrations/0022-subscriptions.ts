import type { Kysely, Migration } from 'kysely';

/** OneAPI subscriptions (contract §11): inbound (MO to a short code) and delivery receipts (sends from one). */
export const subscriptions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('short_code', 'text', (c) => c.notNull())
      .addColumn('notify_url', 'text', (c) => c.notNull())
      .addColumn('callback_data', 'text')
      .addColumn('criteria', 'text')
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('client_correlator', 'text')
      .addColumn('api_version', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('subscriptions_code').on('subscriptions').columns(['short_code', 'kind']).execute();
    // NULLs never collide, so only subscriptions created with a correlator are constrained.
    await db.schema.createIndex('subscriptions_correlator').unique().on('subscriptions').columns(['app_id', 'kind', 'client_correlator']).execute();
  },
};
