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
}

/** What one run of `sweepInBatches` did. */
export interface Swept {
  readonly removed: number;
  /** It stopped at its time budget with rows still to delete. */
  readonly more: boolean;
}

/** Rows deleted per statement, so one never holds the (SQLite) writer for long. */
const BATCH = 500;
/** How long one run keeps deleting before it makes way (requests and dispatch also go between batches). */
const BUDGET_MS = 1000;

/**
 * Runs `sweep(batch)` until it deletes fewer than `batch` rows, or its time budget is spent (then
 * `more`). Statements are bounded and the event loop gets a turn between them.
 */
export async function sweepInBatches(sweep: (batch: number) => Promise<number>, batch = BATCH, budgetMs = BUDGET_MS): Promise<Swept> {
  const started = performance.now();
  let removed = 0;
  for (;;) {
    const n = await sweep(batch);
    removed += n;
    if (n < batch) return { removed, more: false };
    if (performance.now() - started >= budgetMs) return { removed, more: true };
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Runs `tick` every `intervalMs`, one at a time. A tick that reports more left (a backlog past its
 * time budget) is followed by the next at once, so deleting keeps up with any sustained rate —
 * a fixed number of batches per interval would not (10,000 a minute is 167 messages a second).
 */
export class SweepLoop {
  readonly #tick: () => Promise<boolean>;
  readonly #intervalMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(tick: () => Promise<boolean>, intervalMs: number, onError: (err: unknown) => void) {
    this.#tick = tick;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(this.#intervalMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#running = this.#tick()
        .catch((err: unknown) => {
          this.#onError(err);
          return false;
        })
        .then((more) => {
          this.#running = undefined;
          if (!this.#stopped) this.#schedule(more ? 0 : this.#intervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }
}

/**
 * Deletes what the API no longer shows: message statuses past their retention (contract §4: 30
 * minutes after the final state), idempotency keys past theirs, ended throttle windows, and dead
 * letters nobody replayed — in bounded batches, as fast as they come due, never blocking requests
 * for long.
 */
export class Sweeper {
  readonly #options: SweeperOptions;
  readonly #loop: SweepLoop;

  constructor(options: SweeperOptions) {
    this.#options = options;
    this.#loop = new SweepLoop(() => this.#sweep(), options.intervalMs, (err) => options.log.error({ err }, 'sweeper failed'));
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** One sweep; true when a backlog is left for the next, right away. */
  async #sweep(): Promise<boolean> {
    const { store, clock, deadLetterRetentionMs } = this.#options;
    const now = clock.now();
    const statuses = await sweepInBatches((n) => store.messages.sweep(now, n));
    const keys = await sweepInBatches((n) => store.messages.sweepIdempotent(now, n));
    await store.rateLimits.sweep(now);
    const dead = await sweepInBatches((n) => store.notifications.sweepDeadLetters(now - deadLetterRetentionMs, n));
    return statuses.more || keys.more || dead.more;
  }
}
