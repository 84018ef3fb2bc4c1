import type { Kysely, Migration } from 'kysely';

/**
 * The web console: its sessions (the cookie's SHA-256, never the cookie itself) and the indexes
 * its lists need — outbound messages newest first by app or sender, poll inboxes by app.
 */
export const consoleSurface: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('console_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('console_sessions_expiry').on('console_sessions').column('expires_at').execute();

    await db.schema.createIndex('messages_created').on('messages').column('created_at').execute();
    await db.schema.createIndex('messages_app_created').on('messages').columns(['app_id', 'created_at']).execute();
    await db.schema.createIndex('messages_sender_created').on('messages').columns(['sender', 'created_at']).execute();
    await db.schema.createIndex('inbox_messages_app').on('inbox_messages').columns(['app_id', 'received_at']).execute();
  },
};
