import type { Kysely, Migration } from 'kysely';

/** Outbound messages, their recipients (one delivery status each) and the per-app rate counters. */
export const messages: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('api', 'text', (c) => c.notNull())
      .addColumn('sender', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('encoding', 'text', (c) => c.notNull())
      .addColumn('segments', 'integer', (c) => c.notNull())
      .addColumn('notify_mode', 'text', (c) => c.notNull())
      .addColumn('notify_url', 'text')
      .addColumn('callback_data', 'text')
      .addColumn('client_correlator', 'text')
      .addColumn('idempotency_key', 'text')
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('response', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('status_expires_at', 'bigint')
      .addColumn('status_consumed', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // NULLs never collide, so only requests that carry a key or correlator are constrained.
    await db.schema.createIndex('messages_idempotency').unique().on('messages').columns(['app_id', 'idempotency_key']).execute();
    await db.schema.createIndex('messages_correlator').unique().on('messages').columns(['app_id', 'client_correlator']).execute();
    await db.schema.createIndex('messages_expiry').on('messages').column('status_expires_at').execute();

    await db.schema
      .createTable('message_recipients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('address_original', 'text', (c) => c.notNull())
      .addColumn('e164', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('network_id', 'text')
      .addColumn('final_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('message_recipients_message').on('message_recipients').columns(['message_id', 'seq']).execute();
    await db.schema.createIndex('message_recipients_network').on('message_recipients').column('network_id').execute();
    await db.schema.createIndex('message_recipients_pending').on('message_recipients').columns(['e164', 'status']).execute();

    await db.schema
      .createTable('rate_counters')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('period_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_counters_pk', ['app_id', 'period', 'period_start'])
      .execute();
    await db.schema.createIndex('rate_counters_expiry').on('rate_counters').column('expires_at').execute();
  },
};
