import type { AppRepo } from './repos/apps.js';
import type { JobRepo } from './repos/jobs.js';
import type { MetaRepo } from './repos/meta.js';
import type { InstanceRepo } from './repos/instances.js';
import type { ShortCodeRepo } from './repos/short-codes.js';
import type { TokenRepo } from './repos/tokens.js';
import type { MessageRepo } from './repos/messages.js';
import type { HandsetRepo } from './repos/handsets.js';
import type { RateLimitRepo } from './repos/rate-limits.js';
import type { InboxRepo } from './repos/inbox.js';
import type { NotificationRepo } from './repos/notifications.js';
import type { SubscriptionRepo } from './repos/subscriptions.js';
import type { ConsoleRepo } from './repos/console.js';
import type { SmppRepo } from './repos/smpp.js';
import type { SimSmscRepo } from './repos/sim-smsc.js';

/**
 * The one way the domain reaches data. Each area is a repository with its own interface in
 * `store/repos/`; `store/sql/` implements them once over Kysely, and `store/sqlite/` (and later
 * `store/postgres/`) supply the engine. Callers never ask which engine they have.
 */
export interface Repositories {
  readonly jobs: JobRepo;
  readonly apps: AppRepo;
  readonly tokens: TokenRepo;
  readonly shortCodes: ShortCodeRepo;
  readonly meta: MetaRepo;
  readonly instances: InstanceRepo;
  readonly messages: MessageRepo;
  readonly handsets: HandsetRepo;
  readonly rateLimits: RateLimitRepo;
  readonly inbox: InboxRepo;
  readonly notifications: NotificationRepo;
  readonly subscriptions: SubscriptionRepo;
  readonly console: ConsoleRepo;
  readonly smpp: SmppRepo;
  readonly simSmsc: SimSmscRepo;
}

export interface Store extends Repositories {
  readonly engine: 'sqlite' | 'postgres';
  /** Runs pending migrations; safe to call at every start. Answers those it applied, oldest first. */
  migrate(): Promise<readonly string[]>;
  /** Throws when the database does not answer (health checks). */
  ping(): Promise<void>;
  /**
   * Calls `listener` when jobs of one of `kinds` may have become due because another process
   * committed them (PostgreSQL `LISTEN/NOTIFY`), so idle workers wake at once instead of at their
   * next poll; a runner is not woken for other runners' jobs. Returns the unsubscribe function.
   * Absent on engines written by one process only (SQLite).
   *
   * @example store.onJobsAvailable?.(runner.kinds, () => runner.poke());
   */
  onJobsAvailable?(kinds: readonly string[], listener: () => void): () => void;
  /**
   * Makes the jobs still leased at `now` due at once; answers how many. Only on a store that one
   * process writes (SQLite, opened to serve): at its start every lease is a gone process's (a
   * `kill -9`), and would hold its jobs until it ran out (`SWITCHBOARD_JOB_LEASE_MS`, a minute).
   * Absent on PostgreSQL, where a lease may be another live instance's.
   */
  releaseLeases?(now: number): Promise<number>;
  /**
   * Writes a consistent copy of the store to a new file while it is in use (`switchboard
   * backup`). SQLite only: a PostgreSQL database is backed up with its own tools (pg_dump).
   */
  backup?(file: string): Promise<{ readonly file: string; readonly bytes: number }>;
  close(): Promise<void>;
}

/** Where a store reports trouble it rides out: a lost connection, a full disk (a pino logger fits). */
export interface StoreLog {
  warn(obj: object, msg: string): void;
}

/**
 * A store operation failed because the database cannot be reached (connection refused or lost).
 * The caller may try again later; a write cut off mid-commit may or may not have landed. The HTTP
 * layer answers it with 503 SVC1000 instead of a 500.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The store cannot be used as configured, and a restart would not change that: a store migrated by
 * a newer Switchboard, a PostgreSQL database or role that does not exist, a refused password. A
 * setting to fix, so the gateway and the CLI exit 2, which supervisors do not restart; a server not
 * reachable (yet) is another error and exit 1.
 */
export class StoreRefusedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreRefusedError';
  }
}

/**
 * A write on behalf of an app that no longer exists: an operator deleted it while the request
 * was under way, after its token or secret had been checked. The HTTP layer answers it as it
 * would the request's credentials now (401 POL0001), not with a 500.
 */
export class AppGoneError extends Error {
  constructor(appId: string, options?: { cause?: unknown }) {
    super(`app ${appId} no longer exists`, options);
    this.name = 'AppGoneError';
  }
}

/**
 * The connection was lost after a write was sent: the server may have run and committed it.
 * Answered like any StoreUnavailableError, unless the caller can find out (a read) what happened.
 */
export class WriteOutcomeUnknownError extends StoreUnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WriteOutcomeUnknownError';
  }
}
