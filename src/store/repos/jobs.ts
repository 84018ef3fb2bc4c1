/** A durable unit of work: a submit to the network, a POST to an app's listener, … */
/** A claimed job and the worker holding it. */
export interface HeldJob {
  readonly jobId: string;
  readonly workerId: string;
}

export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly ref: string;
  readonly queue: string | null;
  readonly payload: string | null;
  readonly runAt: number;
  /** Including the claim that returned this job. */
  readonly attempts: number;
  readonly deadlineAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
}

export interface NewJob {
  readonly kind: string;
  readonly ref: string;
  readonly queue?: string | null;
  readonly payload?: string | null;
  readonly runAt: number;
  readonly deadlineAt: number;
}

export interface ClaimOptions {
  readonly kinds: readonly string[];
  readonly workerId: string;
  readonly limit: number;
  readonly leaseMs: number;
  readonly now: number;
}

/**
 * The job table. Lease rules are written once: a claim sets `attempts + 1`, `locked_by` and
 * `locked_until`, and moves `run_at` to the lease's end, in one write: the due part of the
 * (state, kind, run_at) index then holds only claimable jobs, so a claim never steps over the
 * jobs in flight, and an expired lease makes the job due (claimable) again by itself. Complete,
 * reschedule and bury only touch a job still held by the caller (`where id = ? and locked_by = ?`),
 * so a worker whose lease expired cannot undo the work of the one that took over.
 */
export interface JobRepo {
  enqueue(jobs: readonly NewJob[]): Promise<void>;
  /**
   * Claims up to `limit` due jobs, oldest `run_at` first; each is claimed by exactly one caller.
   * Each comes back with the due time it was claimed at.
   */
  claim(options: ClaimOptions): Promise<Job[]>;
  /** The job is done: deletes it. False when the caller no longer holds it. */
  complete(id: string, workerId: string): Promise<boolean>;
  /**
   * Extends to `until` the leases of the jobs of `ids` the worker still holds under the lease that
   * ends at `heldUntil` (as its claim, or the last renewal, set it); answers the ids renewed. A job
   * whose lease ran out and was claimed again since, by anyone, is not renewed.
   */
  renew(ids: readonly string[], workerId: string, heldUntil: number, until: number): Promise<string[]>;
  /** Releases the job to run again at `runAt`, recording why. */
  reschedule(id: string, workerId: string, runAt: number, error: string): Promise<boolean>;
  /** Gives up on the job: it stays, dead, for the operator to see and replay. */
  bury(id: string, workerId: string, error: string): Promise<boolean>;
  /** Makes ready jobs of a kind run now, e.g. when a handset comes back on line. */
  wake(kind: string, refs: readonly string[], now: number): Promise<number>;
  /** Makes every waiting job of a kind run now, e.g. submits delayed while a network link was down. */
  wakeAll(kind: string, now: number): Promise<number>;
  /** Due jobs waiting for a worker (claimed ones are not due) and the age of the oldest, for health and metrics. */
  backlog(now: number): Promise<{ ready: number; oldestDueMs: number }>;
}
