import type { Kysely, Migration } from 'kysely';

/**
 * The simulated network's state: handsets that differ from the default (an on-line AT&T mobile)
 * and every message a handset received or sent. `ref` is unique so a re-submitted MT (after a crash
 * between the network's accept and our bookkeeping) lands on the handset once.
 */
export const handsets: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('handsets')
      .addColumn('number', 'text', (c) => c.primaryKey())
      .addColumn('online', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('handset_messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('number', 'text', (c) => c.notNull())
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('peer', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('encoding', 'text', (c) => c.notNull())
      .addColumn('segments', 'integer', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.unique())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('handset_messages_thread').on('handset_messages').columns(['number', 'direction', 'id']).execute();
  },
};
