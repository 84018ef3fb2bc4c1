import type { Kysely, Migration } from 'kysely';

/**
 * A stored MO part can be one whose bytes already reached the app (a part of a message already
 * assembled, sent again) or the operator (the rest of a set given up on): `known` marks it, so a
 * set of only such parts is dropped rather than delivered or listed twice, while a new long message
 * reusing the reference that starts with the same bytes still completes (sql/inbox.ts `addPart`).
 */
export const moPartsKnown: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('mo_parts').addColumn('known', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};
