import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';

export interface SweeperOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  readonly intervalMs: number;
  /** Dead letters are deleted this long after their retry window ended (unless replayed). */
  readonly deadLetterRetentionMs: number;
  /** Rows deleted per statement, so one sweep never holds the (SQLite) writer for long. */
  readonly batch?: number;
  /** Batches per tick at most; the rest waits for the next tick. */
  readonly maxBatches?: number;
}

/**
 * Runs `sweep(batch)` until it deletes fewer than `batch` rows or `maxBatches` ran: bounded
 * statements, so one sweep never holds the (SQLite) writer for long. Returns the rows deleted.
 */
export async function sweepInBatches(sweep: (batch: number) => Promise<number>, batch = 500, maxBatches = 20): Promise<number> {
  let removed = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await sweep(batch);
    removed += n;
    if (n < batch) break;
  }
  return removed;
}

/**
 * Deletes what the API no longer shows: message statuses past their retention (contract §4: 30
 * minutes after the final state), ended throttle windows, and dead letters nobody replayed. Bounded batches on an interval keep
 * the store from growing without bound and never block requests for long.
 */
export class Sweeper {
  readonly #options: Required<SweeperOptions>;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;

  constructor(options: SweeperOptions) {
    this.#options = { batch: 500, maxBatches: 20, ...options };
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#tick ??= this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.#options.log.error({ err }, 'sweeper failed'))
        .finally(() => {
          this.#tick = undefined;
        });
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#tick;
  }

  /** One sweep; returns how many message statuses it removed. */
  async sweep(): Promise<number> {
    const { store, clock, batch, maxBatches } = this.#options;
    const now = clock.now();
    const removed = await sweepInBatches((n) => store.messages.sweep(now, n), batch, maxBatches);
    await store.rateLimits.sweep(now);
    await sweepInBatches((n) => store.notifications.sweepDeadLetters(now - this.#options.deadLetterRetentionMs, n), batch, maxBatches);
    return removed;
  }
}
