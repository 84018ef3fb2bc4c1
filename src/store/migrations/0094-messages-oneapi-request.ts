import type { Kysely, Migration } from 'kysely';

/**
 * A OneAPI send's own fields that no other column of its message holds (the body's
 * `senderAddress`, `clientCorrelator`, `receiptRequest`, `senderName`), as JSON: GET on the
 * request's resourceURL answers them. Null on AT&T paths, and on OneAPI messages accepted before
 * this migration (their GET shows the sender as `tel:` and the fields it knows).
 */
export const messagesOneapiRequest: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('messages').addColumn('oneapi_request', 'text').execute();
  },
};
