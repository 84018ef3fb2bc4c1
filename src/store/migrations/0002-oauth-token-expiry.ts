import type { Kysely, Migration } from 'kysely';

/** Indexes for the bounded clean-up of expired and revoked tokens (TokenRepo.purge). */
export const oauthTokenExpiry: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('oauth_tokens_expires').on('oauth_tokens').column('expires_at').execute();
    await db.schema.createIndex('oauth_tokens_revoked').on('oauth_tokens').column('revoked_at').execute();
  },
};
