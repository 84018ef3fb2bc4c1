import type { Kysely, Migration } from 'kysely';

/**
 * The simulator SMSC's state, so a restart loses nothing it acknowledged: parts of concatenated
 * submits waiting for the rest of their set (`sim_smsc_parts`), and for each message handed to
 * the simulated network the part ids and receipt requests its receipts are written for
 * (`sim_smsc_messages`). Receipts themselves wait in `jobs` (kind `sim-smsc-receipt`) until a
 * receiver of their system_id takes them.
 */
export const simSmsc: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sim_smsc_parts')
      .addColumn('set_key', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('registered_delivery', 'integer', (c) => c.notNull())
      .addColumn('data_coding', 'integer', (c) => c.notNull())
      /** base64 of the part's user data, UDH included. */
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('sim_smsc_parts_pk', ['set_key', 'seq'])
      .execute();
    await db.schema.createIndex('sim_smsc_parts_created').on('sim_smsc_parts').column('created_at').execute();

    await db.schema
      .createTable('sim_smsc_messages')
      .addColumn('ref', 'text', (c) => c.primaryKey())
      .addColumn('system_id', 'text', (c) => c.notNull())
      /** JSON: [{ id, registeredDelivery }] in part order. */
      .addColumn('parts', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('destination', 'text', (c) => c.notNull())
      .addColumn('preview', 'text', (c) => c.notNull())
      .addColumn('submitted_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sim_smsc_messages_submitted').on('sim_smsc_messages').column('submitted_at').execute();
  },
};
