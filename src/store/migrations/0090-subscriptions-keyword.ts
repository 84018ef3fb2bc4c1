import { sql, type Kysely, type Migration } from 'kysely';
import { criteriaKey } from '../repos/subscriptions.js';

/**
 * Inbound routing reads the short code owner's subscriptions for a message's keyword and the
 * newest catch-all, each by one index seek, instead of the code's newest 100 (which left older
 * keywords out): `criteria_key` is the criteria in the form it is compared in. The index of
 * subscriptions without criteria also serves the delivery-receipt lookup (app, short code, kind),
 * so the older (short code, kind) index goes.
 */
export const subscriptionsKeyword: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('subscriptions').addColumn('criteria_key', 'text').execute();
    // Case folding as the code does it (SQLite's lower() folds ASCII only).
    const { rows } = await sql<{ id: string; criteria: string }>`select id, criteria from subscriptions where criteria is not null`.execute(db);
    for (const r of rows) await sql`update subscriptions set criteria_key = ${criteriaKey(r.criteria)} where id = ${r.id}`.execute(db);
    await db.schema.dropIndex('subscriptions_code').execute();
    await db.schema
      .createIndex('subscriptions_keyword')
      .on('subscriptions')
      .columns(['short_code', 'app_id', 'kind', 'criteria_key', 'created_at', 'id'])
      .where(sql.ref('criteria_key'), 'is not', null)
      .execute();
    // Apart: PostgreSQL does not read an index in order after an `is null` column.
    await db.schema
      .createIndex('subscriptions_every')
      .on('subscriptions')
      .columns(['short_code', 'app_id', 'kind', 'created_at', 'id'])
      .where(sql.ref('criteria_key'), 'is', null)
      .execute();
  },
};
