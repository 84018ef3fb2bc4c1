import { setTimeout as sleep } from 'node:timers/promises';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { StoreUnavailableError, WriteOutcomeUnknownError } from '../store.js';
import { isConnectionError, isQueryTimeout, reasonOf } from './connection-errors.js';
import { StatementNames } from './statement-names.js';

export interface ResilientPoolOptions {
  readonly pool: pg.Pool;
  /** How long to keep trying to get a connection before giving up with StoreUnavailableError. */
  readonly retryForMs: number;
  /** The pool's `query_timeout`, for the message of a statement that ran past it. */
  readonly queryTimeoutMs?: number;
  /** Told about each failed attempt that will be retried (for a warning in the log). */
  readonly onRetry?: (reason: string) => void;
}

const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
/** A statement that only reads (outside a transaction nothing it locks outlives it). */
const READ = /^\s*select\b/i;
const END = /^\s*(commit|rollback|end|abort)\b(?!\s+to\b)/i;

/**
 * The `pg` pool as Kysely's PostgresDialect sees it, made to ride out a restarting or briefly
 * unreachable server: getting a connection is retried with back-off for `retryForMs`; a statement
 * that finds its connection dead outside a transaction runs once more on a fresh connection, when
 * it cannot have taken effect on the old one (it was never sent, the server aborted it) or only
 * reads. A write whose connection was lost after it was sent may have been committed: sent again,
 * an accept was stored twice and a read-once status flip consumed the status for nobody, so it
 * fails with WriteOutcomeUnknownError instead. Inside a transaction the work on the lost connection
 * is gone, so the statement fails with StoreUnavailableError (the caller answers 503 or the job runs
 * again after its lease).
 * Statements run often are sent as named prepared statements (see StatementNames).
 */
export class ResilientPool implements PostgresPool {
  readonly #options: ResilientPoolOptions;
  #ending = false;
  // 256 covers every hot statement with room to spare; the rest stay unnamed.
  readonly names = new StatementNames({ after: 3, max: 256 });

  constructor(options: ResilientPoolOptions) {
    this.#options = options;
  }

  async connect(): Promise<PostgresPoolClient> {
    return new RetryingClient(this, await this.acquire());
  }

  /** A pooled `pg` client, retrying while the server cannot be reached. */
  async acquire(): Promise<pg.PoolClient> {
    const { pool, retryForMs, onRetry } = this.#options;
    const giveUpAt = Date.now() + retryForMs;
    let delay = 50;
    for (;;) {
      try {
        return await pool.connect();
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        const reason = reasonOf(err);
        if (this.#ending || Date.now() + delay > giveUpAt) {
          throw new StoreUnavailableError(`database unreachable: ${reason}`, { cause: err });
        }
        onRetry?.(reason);
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  get queryTimeoutMs(): number | undefined {
    return this.#options.queryTimeoutMs;
  }

  async end(): Promise<void> {
    this.#ending = true;
    await this.#options.pool.end();
  }
}

/**
 * Errors that show the statement did not run: pg refused to send it on a connection it already
 * knew was dead, or the server ended the backend while running it (its implicit transaction rolled
 * back; an end that came after the commit reaches the client once the statement has answered).
 */
function didNotRun(err: unknown): boolean {
  const { code, message, routine } = err as { code?: unknown; message?: unknown; routine?: unknown };
  if (code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (code === '0A000' && routine === 'RevalidateCachedQuery') return true;
  return typeof message === 'string' && /not queryable/i.test(message);
}

/** Why a failed statement may run again on a fresh connection, or undefined when it may not. */
function retryableReason(err: unknown): string | undefined {
  if (isConnectionError(err)) return `database connection lost: ${reasonOf(err)}`;
  // A named statement whose result columns changed under it (another instance migrated, say)
  // fails on every run; a fresh connection prepares it anew. Matched on the routine, not the
  // message, which the server may translate.
  const { code, routine } = err as { code?: unknown; routine?: unknown };
  if (code === '0A000' && routine === 'RevalidateCachedQuery') return 'prepared statement outdated by a schema change';
  return undefined;
}

/** One checked-out connection; swaps in a fresh `pg` client when the old one died between transactions. */
class RetryingClient implements PostgresPoolClient {
  readonly #pool: ResilientPool;
  /** Undefined after a dead connection was given back and no fresh one could be had. */
  #client: pg.PoolClient | undefined;
  #inTransaction = false;
  #broken = false;
  // The pool listens for errors only on idle clients; a checked-out client whose socket dies
  // emits 'error' too, and with no listener that would end the process.
  readonly #onError = () => {
    this.#broken = true;
  };

  constructor(pool: ResilientPool, client: pg.PoolClient) {
    this.#pool = pool;
    this.#client = client;
    client.on('error', this.#onError);
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters: ReadonlyArray<unknown> = []): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // The dialect is built without a cursor class, so Kysely never streams through here.
    if (typeof sqlOrCursor !== 'string') throw new Error('streaming queries are not enabled on this store');
    return this.#run<R>(sqlOrCursor, parameters);
  }

  async #run<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    if (this.#broken && this.#inTransaction) throw new StoreUnavailableError('database connection lost during a transaction');
    try {
      return await this.#send<R>(sql, parameters);
    } catch (err) {
      if (isQueryTimeout(err)) {
        // The server may still run it (and answer later on this connection): the connection is
        // dropped, and the statement is not sent again, as it may have taken effect.
        this.#broken = true;
        throw new StoreUnavailableError(`database did not answer within ${this.#pool.queryTimeoutMs} ms`, { cause: err });
      }
      const reason = retryableReason(err);
      if (reason === undefined) throw err;
      // Destroyed on release: a dead socket, or prepared statements a schema change outdated.
      this.#broken = true;
      if (this.#inTransaction) throw new StoreUnavailableError(reason, { cause: err });
      if (!didNotRun(err) && !READ.test(sql)) throw new WriteOutcomeUnknownError(`${reason} (the write may have taken effect)`, { cause: err });
    }
    // No transaction was open, so nothing else depended on the old connection.
    this.#giveBack(true);
    const fresh = await this.#pool.acquire();
    fresh.on('error', this.#onError);
    this.#client = fresh;
    this.#broken = false;
    try {
      return await this.#send<R>(sql, parameters);
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      this.#broken = true;
      throw new StoreUnavailableError(`database connection lost: ${reasonOf(err)}`, { cause: err });
    }
  }

  async #send<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    if (this.#client === undefined) throw new StoreUnavailableError('database connection lost');
    const name = this.#pool.names.nameFor(sql, parameters.length);
    const result = await this.#client.query({ name, text: sql, values: [...parameters] });
    if (BEGIN.test(sql)) this.#inTransaction = true;
    else if (END.test(sql)) this.#inTransaction = false;
    return result as unknown as PostgresQueryResult<R>;
  }

  release(destroy?: boolean): void {
    this.#giveBack(destroy === true || this.#broken);
  }

  #giveBack(destroy: boolean): void {
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    client.removeListener('error', this.#onError);
    client.release(destroy);
  }
}
