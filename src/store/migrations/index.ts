import type { Migration, MigrationProvider } from 'kysely';
import { foundation } from './0001-foundation.js';
import { oauthTokenExpiry } from './0002-oauth-token-expiry.js';
import { messages } from './0010-messages.js';
import { handsets } from './0011-handsets.js';
import { inbound } from './0020-inbound.js';
import { notifications } from './0021-notifications.js';
import { subscriptions } from './0022-subscriptions.js';
import { smpp } from './0030-smpp.js';
import { simSmsc } from './0031-sim-smsc.js';
import { consoleSurface } from './0080-console.js';
import { jobsDueOrder } from './0081-jobs-due-order.js';
import { grantVersion } from './0082-grant-version.js';
import { consoleSessionAdmin } from './0083-console-session-admin.js';
import { handsetMessagesAge } from './0084-handset-messages-age.js';
import { instances } from './0085-instances.js';
import { smppPrune } from './0086-smpp-prune.js';
import { instanceSettings } from './0087-instance-settings.js';
import { smppConcatRefs } from './0088-smpp-concat-refs.js';
import { moPartsKnown } from './0089-mo-parts-known.js';
import { subscriptionsKeyword } from './0090-subscriptions-keyword.js';
import { legacyRequestHashes } from './0091-legacy-request-hashes.js';
import { idempotencyKeys } from './0092-idempotency-keys.js';
import { jobsQueueDue } from './0093-jobs-queue-due.js';
import { messagesOneapiRequest } from './0094-messages-oneapi-request.js';

/**
 * Every migration, in order. The same list runs on SQLite and PostgreSQL; a name is never reused
 * or edited once committed, a change is a new migration.
 */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-oauth-token-expiry': oauthTokenExpiry,
  '0010-messages': messages,
  '0011-handsets': handsets,
  '0020-inbound': inbound,
  '0021-notifications': notifications,
  '0022-subscriptions': subscriptions,
  '0030-smpp': smpp,
  '0031-sim-smsc': simSmsc,
  '0080-console': consoleSurface,
  '0081-jobs-due-order': jobsDueOrder,
  '0082-grant-version': grantVersion,
  '0083-console-session-admin': consoleSessionAdmin,
  '0084-handset-messages-age': handsetMessagesAge,
  '0085-instances': instances,
  '0086-smpp-prune': smppPrune,
  '0087-instance-settings': instanceSettings,
  '0088-smpp-concat-refs': smppConcatRefs,
  '0089-mo-parts-known': moPartsKnown,
  '0090-subscriptions-keyword': subscriptionsKeyword,
  '0091-legacy-request-hashes': legacyRequestHashes,
  '0092-idempotency-keys': idempotencyKeys,
  '0093-jobs-queue-due': jobsQueueDue,
  '0094-messages-oneapi-request': messagesOneapiRequest,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
