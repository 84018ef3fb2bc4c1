import type { Kysely, Migration } from 'kysely';

/** The simulated handsets' messages are deleted by age (SWITCHBOARD_SIM_MESSAGE_RETENTION_S). */
export const handsetMessagesAge: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('handset_messages_age').on('handset_messages').column('received_at').execute();
  },
};
