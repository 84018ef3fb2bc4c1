import { sql, type Kysely, type Migration } from 'kysely';

/** The retention a send's keys get here (SWITCHBOARD_IDEMPOTENCY_RETENTION_S's default): the setting is not known to a migration. */
const RETENTION_MS = 24 * 3600_000;

/**
 * A send's Idempotency-Key and clientCorrelator move out of its message row into their own table,
 * with the request hash and the answer a repeat gets: they are kept for their own retention
 * (SWITCHBOARD_IDEMPOTENCY_RETENTION_S after the send), while the message goes with its status
 * (SWITCHBOARD_STATUS_RETENTION_S after it became final), after which a repeat was sent again.
 * Messages without keys no longer store an answer nobody reads.
 */
export const idempotencyKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('idempotency_keys')
      // No foreign key to the message: it is deleted first.
      .addColumn('message_id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('idempotency_key', 'text')
      .addColumn('client_correlator', 'text')
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('response', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    // NULLs never collide, so only sends that carry a key or correlator are constrained.
    await db.schema.createIndex('idempotency_keys_key').unique().on('idempotency_keys').columns(['app_id', 'idempotency_key']).execute();
    await db.schema.createIndex('idempotency_keys_correlator').unique().on('idempotency_keys').columns(['app_id', 'client_correlator']).execute();
    await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').column('expires_at').execute();
    await sql`insert into idempotency_keys (message_id, app_id, idempotency_key, client_correlator, request_hash, response, expires_at)
      select id, app_id, idempotency_key, client_correlator, request_hash, response, created_at + ${sql.lit(RETENTION_MS)}
      from messages where idempotency_key is not null or client_correlator is not null`.execute(db);

    await db.schema.dropIndex('messages_idempotency').execute();
    await db.schema.dropIndex('messages_correlator').execute();
    for (const column of ['idempotency_key', 'client_correlator', 'request_hash', 'response']) {
      await db.schema.alterTable('messages').dropColumn(column).execute();
    }
  },
};
