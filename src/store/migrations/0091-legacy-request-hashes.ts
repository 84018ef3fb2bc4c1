import { sql, type Kysely, type Migration } from 'kysely';
import { LEGACY_HASH_PREFIX } from '../repos/messages.js';

/**
 * A repeat of a send is now compared on what the client sent only; the hashes stored before took
 * the sender and the receipt target from the app's settings. They are marked, so a repeat of such
 * a request is still compared the way its hash was made (sms/send.ts).
 */
export const legacyRequestHashes: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`update messages set request_hash = ${LEGACY_HASH_PREFIX} || request_hash where request_hash <> ''`.execute(db);
  },
};
