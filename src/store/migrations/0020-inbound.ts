import type { Kysely, Migration } from 'kysely';

/**
 * Inbound (MO) messages: the poll inbox, parts of long messages waiting for their set, the keys
 * that make a network's redelivery a no-op, and the dead letters of inbound routing.
 */
export const inbound: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('inbox_messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('short_code', 'text', (c) => c.notNull())
      .addColumn('sender', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('inbox_messages_poll').on('inbox_messages').columns(['short_code', 'app_id', 'received_at']).execute();
    await db.schema.createIndex('inbox_messages_expiry').on('inbox_messages').column('expires_at').execute();

    await db.schema
      .createTable('mo_parts')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('destination', 'text', (c) => c.notNull())
      .addColumn('reference', 'integer', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('data_coding', 'integer', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('mo_parts_pk', ['source', 'destination', 'reference', 'total', 'seq'])
      .execute();
    await db.schema.createIndex('mo_parts_age').on('mo_parts').column('received_at').execute();

    await db.schema
      .createTable('mo_seen')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('mo_seen_expiry').on('mo_seen').column('expires_at').execute();

    await db.schema
      .createTable('unrouted_mo')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('short_code', 'text', (c) => c.notNull())
      .addColumn('sender', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('unrouted_mo_age').on('unrouted_mo').column('received_at').execute();
  },
};
