import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { Job, JobRepo } from '../store/repos/jobs.js';
import { StoreUnavailableError } from '../store/store.js';

/** What a handler says about one attempt. */
export type JobOutcome =
  /**
   * `acked`: the handler deleted its job itself, in the write that recorded what it did (one
   * write instead of two); otherwise the runner deletes it.
   */
  | { readonly ok: true; readonly acked?: boolean }
  /** `retry: false` means the failure is permanent (e.g. the network refused the number). */
  | { readonly ok: false; readonly retry: boolean; readonly error: string };

/** Who holds a claimed job: what a handler needs to delete the job itself (see JobOutcome). */
export interface JobLease {
  readonly workerId: string;
  /**
   * When the lease ends (clock time: the claim's time + leaseMs). The job can be claimed again from
   * then on: an attempt must not start, that late, work a second attempt would repeat.
   */
  readonly heldUntil: number;
}

export interface JobHandler {
  readonly kind: string;
  run(job: Job, lease: JobLease): Promise<JobOutcome>;
  /**
   * Called once when a job fails for good (permanent failure or retry window over). Returns
   * 'bury' to keep the job dead for the operator (dead letters), 'drop' to delete it.
   */
  exhausted(job: Job, error: string): Promise<'bury' | 'drop'>;
}

export interface RunnerOptions {
  readonly jobs: JobRepo;
  readonly clock: Clock;
  readonly workerId: string;
  readonly handlers: readonly JobHandler[];
  /** Next run time after a failed attempt (1-based), given now. Pure: see dispatch/backoff. */
  readonly schedule: (attempt: number, now: number) => number;
  /** Jobs in flight at once across all kinds. */
  readonly concurrency: number;
  readonly leaseMs?: number;
  readonly idlePollMs?: number;
  /**
   * Kinds that cannot run right now (e.g. 'submit' while the network link is down) are not
   * claimed, so their jobs wait untouched instead of burning attempts; poke() when it changes.
   */
  readonly paused?: (kind: string) => boolean;
  /**
   * Work that goes first (HTTP requests waiting for their answer). While it is busy, every claim
   * round first waits `yieldMs`: during a burst the requests get the CPU and the jobs committed
   * meanwhile are claimed in full batches, the backlog is worked off behind the burst. A round
   * still runs every `yieldMs`, so sustained load slows the jobs to at least `concurrency` per
   * `yieldMs` but cannot stop them.
   */
  readonly foreground?: Foreground;
  /** 0 (the default) never waits. */
  readonly yieldMs?: number;
}

/** Whether work that goes before this runner's jobs is waiting; see RunnerOptions.foreground. */
export interface Foreground {
  busy(): boolean;
}

export interface RunnerEvents {
  'job:claimed': [Job];
  'job:completed': [Job];
  'job:retry': [Job, string, number];
  'job:exhausted': [Job, string];
  'job:lost': [Job];
  error: [Error];
}

const nothingFirst: Foreground = { busy: () => false };

/** Where a runner's errors are told (a pino logger fits). */
export interface RunnerErrorLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * A runner's `error` listener: a store that cannot be reached is a warning without a stack (the
 * store says what is wrong, and every round of every runner would repeat it); anything else is
 * an error with its stack.
 *
 * @example runner.on('error', runnerErrors(log, 'dispatch runner error'));
 */
export function runnerErrors(log: RunnerErrorLog, message: string): (err: Error) => void {
  return (err) => {
    if (err instanceof StoreUnavailableError) log.warn({ reason: err.message }, `${message}: the store is unavailable`);
    else log.error({ err }, message);
  };
}

/** Anything thrown by a job becomes an Error whose message is stored on the row. */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}

/**
 * Claims due jobs with a lease and runs them through their kind's handler. Jobs stream from the
 * store in bounded batches (never more than `concurrency` in memory), so a backlog of any size
 * keeps memory flat. A job whose worker died is claimed again once its lease expires.
 */
export class JobRunner extends EventEmitter<RunnerEvents> {
  readonly #options: Required<RunnerOptions>;
  readonly #handlers: Map<string, JobHandler>;
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** A poke came while the loop was not waiting (e.g. during a claim): go round again. */
  #poked = false;
  #timer: NodeJS.Timeout | undefined;
  /** Ends a wait for the foreground early: only stop() does (a poke must not, see #run). */
  #endYield: (() => void) | undefined;
  /**
   * Settlements (ack, retry, burial) a store outage kept from being written, oldest first. Left
   * alone, their jobs would sit out their leases (a minute by default) after the store is back;
   * they are written at the first round that finds it answering, while the lease still holds.
   */
  readonly #unsettled: Array<{ readonly heldUntil: number; readonly settle: () => Promise<void> }> = [];

  constructor(options: RunnerOptions) {
    super();
    this.#options = { leaseMs: 60_000, idlePollMs: 250, paused: () => false, ...options, foreground: options.foreground ?? nothingFirst, yieldMs: options.yieldMs ?? 0 };
    this.#handlers = new Map(options.handlers.map((h) => [h.kind, h]));
  }

  /** The job kinds this runner has handlers for. */
  get kinds(): readonly string[] {
    return [...this.#handlers.keys()];
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Wakes the loop now instead of at the next poll, e.g. right after new jobs were committed. */
  poke(): void {
    if (this.#wake) this.#wake();
    else this.#poked = true;
  }

  /** Stops claiming and waits for the jobs in flight to finish. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#endYield?.();
    this.poke();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
    await this.#settleParked();
  }

  async #run(): Promise<void> {
    const { jobs, clock, workerId, concurrency, leaseMs, idlePollMs, paused, foreground, yieldMs } = this.#options;
    const allKinds = [...this.#handlers.keys()];
    while (this.#running) {
      // With a synchronous engine (better-sqlite3) a job's awaits resolve as microtasks, so a
      // backlog would drain in one event-loop turn and starve HTTP and timers: yield every round.
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Not ended by pokes: every accepted request pokes, and the point is to let them pile up.
      if (yieldMs > 0 && foreground.busy()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, yieldMs);
          this.#endYield = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#endYield = undefined;
      }
      if (!this.#running) break;
      this.#poked = false;
      await this.#settleParked();
      const kinds = allKinds.filter((kind) => !paused(kind));
      const free = kinds.length === 0 ? 0 : concurrency - this.#inFlight.size;
      let claimed: Job[] = [];
      const claimedAt = clock.now();
      if (free > 0) {
        try {
          claimed = await jobs.claim({ kinds, workerId, limit: free, leaseMs, now: claimedAt });
        } catch (err) {
          this.emit('error', coerceError(err));
        }
      }
      for (const job of claimed) {
        this.emit('job:claimed', job);
        const p = this.#execute(job, claimedAt + leaseMs).finally(() => {
          this.#inFlight.delete(p);
          this.poke();
        });
        this.#inFlight.add(p);
      }
      // A full batch means more may be due: go round again at once; so does a poke that came
      // during this round (its jobs may have been committed after the claim read); otherwise
      // wait for one. On PostgreSQL a claim takes round trips, and a poke lost meanwhile left
      // a freed worker or listener slot idle until the next poll.
      if ((claimed.length === free && free > 0) || this.#poked) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, idlePollMs);
      });
      clearTimeout(this.#timer);
      this.#wake = undefined;
    }
  }

  /** Writes the parked settlements in order; stops at the first the store still refuses. */
  async #settleParked(): Promise<void> {
    const now = this.#options.clock.now();
    for (;;) {
      const parked = this.#unsettled[0];
      if (parked === undefined) return;
      // Past its lease the job is due again for any worker: the claim takes it from here.
      if (parked.heldUntil > now) {
        try {
          await parked.settle();
        } catch {
          return; // the round's claim says what is wrong with the store
        }
      }
      this.#unsettled.shift();
    }
  }

  async #execute(job: Job, heldUntil: number): Promise<void> {
    const { workerId } = this.#options;
    const handler = this.#handlers.get(job.kind);
    if (handler === undefined) return;
    let outcome: JobOutcome;
    try {
      outcome = await handler.run(job, { workerId, heldUntil });
    } catch (err) {
      outcome = { ok: false, retry: true, error: coerceError(err).message };
    }
    const settle = () => this.#settle(job, handler, outcome);
    try {
      await settle();
    } catch (err) {
      this.emit('error', coerceError(err));
      // Otherwise the lease expires and the job is claimed again.
      if (err instanceof StoreUnavailableError) this.#unsettled.push({ heldUntil, settle });
    }
  }

  /** Records how an attempt ended: the job deleted, put off to its next run, or given up. */
  async #settle(job: Job, handler: JobHandler, outcome: JobOutcome): Promise<void> {
    const { jobs, clock, workerId, schedule } = this.#options;
    if (outcome.ok) {
      if (outcome.acked === true || (await jobs.complete(job.id, workerId))) this.emit('job:completed', job);
      else this.emit('job:lost', job);
      return;
    }
    const now = clock.now();
    // A retry that would fall after the window is pulled back to its end: the last chance is
    // taken rather than skipped, so a job is retried for the whole window (contract §13).
    const next = Math.min(schedule(job.attempts, now), job.deadlineAt);
    if (outcome.retry && now < job.deadlineAt) {
      if (await jobs.reschedule(job.id, workerId, next, outcome.error)) this.emit('job:retry', job, outcome.error, next);
      else this.emit('job:lost', job);
      return;
    }
    const error = outcome.retry ? `retry window over: ${outcome.error}` : outcome.error;
    const verdict = await handler.exhausted(job, error);
    const held = verdict === 'bury' ? await jobs.bury(job.id, workerId, error) : await jobs.complete(job.id, workerId);
    if (held) this.emit('job:exhausted', job, error);
    else this.emit('job:lost', job);
  }
}
