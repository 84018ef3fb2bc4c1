import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The last concatenation reference used per destination (E.164), advanced by one upsert per
 * multi-part submit (sql/smpp.ts `nextConcatRef`), so every gateway instance on the database draws
 * from one counter. It starts from the newest reference `smpp_messages` still records for each
 * destination: a part sent again after a crash may still wait under it, in the SMSC or on the
 * handset, and must not share it with the next message there.
 */
export const smppConcatRefs: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('smpp_concat_refs')
      .addColumn('e164', 'text', (c) => c.primaryKey())
      .addColumn('ref', 'integer', (c) => c.notNull())
      .addColumn('used_at', 'bigint', (c) => c.notNull())
      .execute();
    // Pruned by age (sql/smpp.ts `prune`).
    await db.schema.createIndex('smpp_concat_refs_used_at').on('smpp_concat_refs').column('used_at').execute();
    await sql`insert into smpp_concat_refs (e164, ref, used_at)
      select e164, concat_ref, created_at from (
        select r.e164, m.concat_ref, m.created_at,
          row_number() over (partition by r.e164 order by m.created_at desc, m.recipient_id desc) as n
        from smpp_messages m join message_recipients r on r.id = m.recipient_id
        where m.total > 1) newest
      where n = 1`.execute(db);
  },
};
