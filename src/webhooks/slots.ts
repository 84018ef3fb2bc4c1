import type { Job, JobRepo, ClaimOptions } from '../store/repos/jobs.js';
import type { NotificationRepo } from '../store/repos/notifications.js';

const PREFIX = 'listener:';

/**
 * Once a claim looked past busy listeners and found no more due jobs, claims look only at the
 * head of the due jobs for this long: a job of another listener, queued behind busy listeners'
 * backlogs meanwhile, waits at most this long; without the pause every claim (one per finished
 * POST) read the oldest due job of every listener.
 */
const LOOK_PAST_BUSY_EVERY_MS = 200;

/** The queue of a listener: its origin, so one slow host is limited however many URLs it has. */
export function listenerQueue(url: string): string {
  try {
    return `${PREFIX}${new URL(url).origin}`;
  } catch {
    return `${PREFIX}${url}`;
  }
}

/**
 * In-flight webhook POSTs per listener queue, in this process. A slot is taken when a job is
 * claimed and given back when its attempt ends; jobs of a queue with no free slot stay unclaimed
 * in the table (no attempt is spent), so the workers go to other listeners meanwhile.
 */
export class ListenerSlots {
  readonly #limit: number;
  readonly #inFlight = new Map<string, number>();

  constructor(limitPerListener: number) {
    this.#limit = limitPerListener;
  }

  /** POSTs at once per listener. */
  get limit(): number {
    return this.#limit;
  }

  /** Jobs of other queues (e.g. notification triggers) do not POST and are not limited here. */
  free(queue: string): number {
    if (!queue.startsWith(PREFIX)) return Number.POSITIVE_INFINITY;
    return this.#limit - (this.#inFlight.get(queue) ?? 0);
  }

  take(queue: string): void {
    if (!queue.startsWith(PREFIX)) return;
    this.#inFlight.set(queue, (this.#inFlight.get(queue) ?? 0) + 1);
  }

  release(queue: string): void {
    if (!queue.startsWith(PREFIX)) return;
    const n = (this.#inFlight.get(queue) ?? 0) - 1;
    if (n > 0) this.#inFlight.set(queue, n);
    else this.#inFlight.delete(queue);
  }
}

/** A claimed job kept for a slot of its listener, and when its lease ends (its claim's, or its last renewal's). */
interface Kept {
  readonly job: Job;
  readonly heldUntil: number;
}

export interface ListenerLimitedJobsOptions {
  /** The runner's workers: no more of a listener's jobs than these are kept ahead (they start one per worker). */
  readonly workers: number;
  /**
   * The longest an attempt holds its job once it starts. A kept job is handed out without a
   * renewal only while at least this much of its lease is left.
   */
  readonly attemptMs: number;
}

/**
 * The JobRepo the webhook runner sees: every operation is the store's, except that claiming
 * respects the listener slots (see NotificationRepo.claimForListeners) and takes the slots of
 * what it hands out, and that completing a job (its POST was acknowledged, or there was nothing
 * left to send) deletes its notification with it, in one write.
 *
 * Claims look ahead: a claim from the table also takes up to one slot's worth more of a
 * listener's due jobs than it has free slots (no more than the runner has workers), and keeps
 * them here. When a POST ends, the next claim hands one of those out at once, and tops them up
 * from the table in the background. A listener's slots stayed empty for a claim's write after
 * every wave of POSTs (≈ 3 ms of a ≈ 9 ms cycle on the SMPP path): a third of what they could
 * carry. Jobs kept here take no runner worker, so other listeners are not held up by them; they
 * hold their lease meanwhile (see the engine's lease), and the ones not handed out when the
 * runner stops are given back.
 *
 * A job kept until too little of its lease is left for its attempt (the workers were busy with
 * other listeners, or are fewer than a listener's slots) has its lease renewed, in one write for
 * all such jobs of a claim, before it is handed out; one whose lease ran out and that was claimed
 * again meanwhile, by another instance or by this one, is dropped: it is no longer this one's.
 */
export class ListenerLimitedJobs implements JobRepo {
  readonly #jobs: JobRepo;
  readonly #notifications: NotificationRepo;
  readonly #slots: ListenerSlots;
  /** A background claim brought jobs: the runner should claim again. */
  readonly #more: () => void;
  /** Jobs kept ahead per listener, beyond its free slots. */
  readonly #keep: number;
  readonly #attemptMs: number;
  /** Claimed jobs waiting for a slot of their listener, oldest first per listener. */
  readonly #ahead = new Map<string, Kept[]>();
  #refill: Promise<void> | undefined;
  #lookPastBusyAt = 0;

  constructor(jobs: JobRepo, notifications: NotificationRepo, slots: ListenerSlots, more: () => void, options: ListenerLimitedJobsOptions) {
    this.#jobs = jobs;
    this.#notifications = notifications;
    this.#slots = slots;
    this.#more = more;
    this.#keep = Math.min(slots.limit, options.workers);
    this.#attemptMs = options.attemptMs;
  }

  async claim(options: ClaimOptions): Promise<Job[]> {
    const served = await this.#serve(options);
    if (served.length === options.limit) return served;
    if (served.length > 0) {
      // A background claim that fails is tried again by the next claim, whose failure the runner reports.
      this.#refill ??= this.#fill(options)
        .catch(() => undefined)
        .finally(() => {
          this.#refill = undefined;
          this.#more();
        });
      return served;
    }
    await (this.#refill ?? this.#fill(options));
    return this.#serve(options);
  }

  /** Hands out kept jobs whose listeners have a free slot, taking the slots; renews the leases that need it first. */
  async #serve({ limit, workerId, leaseMs, now }: ClaimOptions): Promise<Job[]> {
    const served: Kept[] = [];
    for (const [queue, kept] of this.#ahead) {
      while (served.length < limit && kept.length > 0 && this.#slots.free(queue) > 0) {
        served.push(kept.shift() as Kept);
        this.#slots.take(queue);
      }
      if (kept.length === 0) this.#ahead.delete(queue);
    }
    const late = served.filter((k) => k.heldUntil - now < this.#attemptMs);
    if (late.length === 0) return served.map((k) => k.job);
    const renewed = new Set<string>();
    // Jobs kept from one claim share its lease's end: usually one write.
    for (const heldUntil of new Set(late.map((k) => k.heldUntil))) {
      const ids = late.filter((k) => k.heldUntil === heldUntil).map((k) => k.job.id);
      // One that fails is left to its lease (the claim that follows reports what is wrong with the store).
      for (const id of await this.#jobs.renew(ids, workerId, heldUntil, now + leaseMs).catch(() => [])) renewed.add(id);
    }
    const handed: Job[] = [];
    for (const k of served) {
      if (k.heldUntil - now >= this.#attemptMs || renewed.has(k.job.id)) handed.push(k.job);
      else this.#slots.release(k.job.queue ?? '');
    }
    return handed;
  }

  /** Claims from the table what the listeners' free slots and the room kept here allow. */
  async #fill(options: ClaimOptions): Promise<void> {
    const lookPastBusy = options.now >= this.#lookPastBusyAt;
    const room = (queue: string) => this.#slots.free(queue) + this.#keep - (this.#ahead.get(queue)?.length ?? 0);
    const limit = options.limit + this.#keep;
    const claimed = await this.#notifications.claimForListeners({ ...options, limit, freeSlots: room, lookPastBusy });
    // Fewer than asked after a full look: every due job was seen (see LOOK_PAST_BUSY_EVERY_MS).
    if (lookPastBusy && claimed.length < limit) this.#lookPastBusyAt = options.now + LOOK_PAST_BUSY_EVERY_MS;
    const heldUntil = options.now + options.leaseMs;
    for (const job of claimed) {
      const queue = job.queue ?? '';
      const kept = this.#ahead.get(queue);
      if (kept === undefined) this.#ahead.set(queue, [{ job, heldUntil }]);
      else kept.push({ job, heldUntil });
    }
  }

  /**
   * Gives the jobs kept here for `workerId` back to the table, due at `now` (call once the runner
   * has stopped): otherwise they would wait for their lease to run out.
   */
  async giveBack(workerId: string, now: number): Promise<void> {
    await this.#refill;
    const kept = [...this.#ahead.values()].flat();
    this.#ahead.clear();
    for (const { job } of kept) await this.#jobs.reschedule(job.id, workerId, now, 'not sent yet when the gateway stopped');
  }

  enqueue: JobRepo['enqueue'] = (jobs) => this.#jobs.enqueue(jobs);
  complete: JobRepo['complete'] = (id, workerId) => this.#notifications.acknowledge(id, workerId);
  renew: JobRepo['renew'] = (ids, workerId, heldUntil, until) => this.#jobs.renew(ids, workerId, heldUntil, until);
  reschedule: JobRepo['reschedule'] = (id, workerId, runAt, error) => this.#jobs.reschedule(id, workerId, runAt, error);
  bury: JobRepo['bury'] = (id, workerId, error) => this.#jobs.bury(id, workerId, error);
  wake: JobRepo['wake'] = (kind, refs, now) => this.#jobs.wake(kind, refs, now);
  wakeAll: JobRepo['wakeAll'] = (kind, now) => this.#jobs.wakeAll(kind, now);
  backlog: JobRepo['backlog'] = (now) => this.#jobs.backlog(now);
}
