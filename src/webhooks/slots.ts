import type { Job, JobRepo, ClaimOptions } from '../store/repos/jobs.js';
import type { NotificationRepo } from '../store/repos/notifications.js';

const PREFIX = 'listener:';

/**
 * Once a claim looked past busy listeners and found no more due jobs, claims look only at the
 * head of the due jobs for this long: a job of another listener, queued behind a busy listener's
 * backlog meanwhile, waits at most this long; without the pause every claim (one per finished
 * POST) read the busy backlog whole.
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

/**
 * The JobRepo the webhook runner sees: every operation is the store's, except that claiming
 * respects the listener slots (see NotificationRepo.claimForListeners) and takes the slots of
 * what it claimed, and that completing a job (its POST was acknowledged, or there was nothing
 * left to send) deletes its notification with it, in one write.
 */
export class ListenerLimitedJobs implements JobRepo {
  readonly #jobs: JobRepo;
  readonly #notifications: NotificationRepo;
  readonly #slots: ListenerSlots;
  #lookPastBusyAt = 0;

  constructor(jobs: JobRepo, notifications: NotificationRepo, slots: ListenerSlots) {
    this.#jobs = jobs;
    this.#notifications = notifications;
    this.#slots = slots;
  }

  async claim(options: ClaimOptions): Promise<Job[]> {
    const lookPastBusy = options.now >= this.#lookPastBusyAt;
    const claimed = await this.#notifications.claimForListeners({ ...options, freeSlots: (q) => this.#slots.free(q), lookPastBusy });
    // Fewer than asked after a full look: every due job was seen (see LOOK_PAST_BUSY_EVERY_MS).
    if (lookPastBusy && claimed.length < options.limit) this.#lookPastBusyAt = options.now + LOOK_PAST_BUSY_EVERY_MS;
    for (const job of claimed) this.#slots.take(job.queue ?? '');
    return claimed;
  }

  enqueue: JobRepo['enqueue'] = (jobs) => this.#jobs.enqueue(jobs);
  complete: JobRepo['complete'] = (id, workerId) => this.#notifications.acknowledge(id, workerId);
  reschedule: JobRepo['reschedule'] = (id, workerId, runAt, error) => this.#jobs.reschedule(id, workerId, runAt, error);
  bury: JobRepo['bury'] = (id, workerId, error) => this.#jobs.bury(id, workerId, error);
  wake: JobRepo['wake'] = (kind, refs, now) => this.#jobs.wake(kind, refs, now);
  wakeAll: JobRepo['wakeAll'] = (kind, now) => this.#jobs.wakeAll(kind, now);
  backlog: JobRepo['backlog'] = (now) => this.#jobs.backlog(now);
}
