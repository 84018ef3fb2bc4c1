import type { Kysely, Migration } from 'kysely';

/**
 * The SMPP connector's memory of what it submitted, so receipts still find their recipient after a
 * restart: one row per recipient (`smpp_messages`, the combined state of its parts) and one per
 * part the SMSC accepted (`smpp_parts`, with the SMSC's message id under three normalised keys —
 * see network/smpp/ids.ts). Receipts that match nothing yet are kept in `smpp_held_receipts` and
 * retried, then marked unmatched (kept, counted), never dropped silently.
 */
export const smpp: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('smpp_messages')
      .addColumn('recipient_id', 'text', (c) => c.primaryKey())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('concat_ref', 'integer', (c) => c.notNull())
      .addColumn('final_state', 'text')
      .addColumn('final_at', 'bigint')
      .addColumn('last_receipt_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('smpp_messages_open').on('smpp_messages').columns(['final_state', 'last_receipt_at']).execute();
    await db.schema.createIndex('smpp_messages_created').on('smpp_messages').column('created_at').execute();

    await db.schema
      .createTable('smpp_parts')
      .addColumn('recipient_id', 'text', (c) => c.notNull())
      .addColumn('part', 'integer', (c) => c.notNull())
      .addColumn('smsc_id', 'text', (c) => c.notNull())
      .addColumn('id_key', 'text', (c) => c.notNull())
      .addColumn('id_dec', 'text')
      .addColumn('id_hex', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('submitted_at', 'bigint', (c) => c.notNull())
      .addColumn('receipt_at', 'bigint')
      .addPrimaryKeyConstraint('smpp_parts_pk', ['recipient_id', 'part'])
      .execute();
    await db.schema.createIndex('smpp_parts_key').on('smpp_parts').column('id_key').execute();
    await db.schema.createIndex('smpp_parts_dec').on('smpp_parts').column('id_dec').execute();
    await db.schema.createIndex('smpp_parts_hex').on('smpp_parts').column('id_hex').execute();

    await db.schema
      .createTable('smpp_held_receipts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      /** JSON array of the ids the receipt names (TLV, text). */
      .addColumn('ids', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('stat', 'text', (c) => c.notNull())
      .addColumn('final', 'integer', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('receipt_at', 'bigint', (c) => c.notNull())
      .addColumn('held_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('unmatched_at', 'bigint')
      .execute();
    await db.schema.createIndex('smpp_held_due').on('smpp_held_receipts').columns(['unmatched_at', 'held_at']).execute();
  },
};
