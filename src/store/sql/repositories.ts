import type { Repositories } from '../store.js';
import type { SqlContext } from './context.js';
import { SqlJobRepo } from './jobs.js';
import { SqlAppRepo } from './apps.js';
import { SqlMetaRepo } from './meta.js';
import { SqlInstanceRepo } from './instances.js';
import { SqlShortCodeRepo } from './short-codes.js';
import { SqlTokenRepo } from './tokens.js';
import { SqlMessageRepo } from './messages.js';
import { SqlHandsetRepo } from './handsets.js';
import { SqlRateLimitRepo } from './rate-limits.js';
import { SqlInboxRepo } from './inbox.js';
import { SqlNotificationRepo } from './notifications.js';
import { SqlSubscriptionRepo } from './subscriptions.js';
import { SqlConsoleRepo } from './console.js';
import { SqlSmppRepo } from './smpp.js';
import { SqlSimSmscRepo } from './sim-smsc.js';

/** Builds every repository over one engine's Kysely instance. */
export function createRepositories(ctx: SqlContext): Repositories {
  return {
    jobs: new SqlJobRepo(ctx),
    apps: new SqlAppRepo(ctx),
    tokens: new SqlTokenRepo(ctx),
    shortCodes: new SqlShortCodeRepo(ctx),
    meta: new SqlMetaRepo(ctx),
    instances: new SqlInstanceRepo(ctx),
    messages: new SqlMessageRepo(ctx),
    handsets: new SqlHandsetRepo(ctx),
    rateLimits: new SqlRateLimitRepo(ctx),
    inbox: new SqlInboxRepo(ctx),
    notifications: new SqlNotificationRepo(ctx),
    subscriptions: new SqlSubscriptionRepo(ctx),
    console: new SqlConsoleRepo(ctx),
    smpp: new SqlSmppRepo(ctx),
    simSmsc: new SqlSimSmscRepo(ctx),
  };
}
