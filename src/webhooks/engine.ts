import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { JobRunner, runnerErrors, type JobHandler } from '../dispatch/runner.js';
import { nextRunAt } from '../dispatch/backoff.js';
import type { Job } from '../store/repos/jobs.js';
import type { DeadLetter } from '../store/repos/notifications.js';
import type { Store } from '../store/store.js';
import { moOfAttCallback } from './bodies.js';
import { deliverHandler } from './deliver.js';
import { blockedAddresses, type IsBlocked } from './blocked-addresses.js';
import { checkListenerUrl, type ListenerUrlVerdict, type SelfEndpoint } from './listener-url.js';
import { ThreadedSender } from './sender-thread.js';
import { ListenerLimitedJobs, ListenerSlots, listenerQueue } from './slots.js';

export interface WebhookEngineDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  readonly log: FastifyBaseLogger;
  /** The gateway's own endpoints (known once it listens), for the listener URL guard. */
  readonly self: () => readonly SelfEndpoint[];
}

/** A replayed dead letter: sent again to `url`, or (an MO for a short code that polls now) put in the inbox. */
export interface Replayed {
  readonly id: string;
  readonly url: string | null;
  readonly state: 'pending' | 'inbox';
}

/**
 * Gives a claimed job's listener slot back when its attempt ends, however it ends, and calls
 * `released`: the runner claims again for that listener at once, while the attempt's own
 * bookkeeping (the ack's durable write) is still under way: waiting for that write first kept
 * each slot idle for a log sync per POST.
 */
function releasingSlot(handler: JobHandler, slots: ListenerSlots, released: () => void): JobHandler {
  return {
    kind: handler.kind,
    run: async (job: Job, lease) => {
      try {
        return await handler.run(job, lease);
      } finally {
        slots.release(job.queue ?? '');
        released();
      }
    },
    exhausted: (job, error) => handler.exhausted(job, error),
  };
}

/**
 * The notification engine: its own job runner over the shared job table for the kind 'webhook'
 * (one POST attempt of a notification). A separate runner, so webhooks and network submits never take each other's
 * workers; inside it, each listener origin gets at most SWITCHBOARD_WEBHOOK_CONCURRENCY POSTs at
 * once. Jobs are claimed oldest first, so notifications to one listener go out in the order they
 * were created (retries aside, and up to that concurrency).
 */
export class WebhookEngine {
  readonly #deps: WebhookEngineDeps;
  readonly #sender: ThreadedSender;
  readonly #runner: JobRunner;
  readonly #slots: ListenerSlots;
  readonly #jobs: ListenerLimitedJobs;
  readonly #workerId: string;
  readonly #blocked: IsBlocked;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: WebhookEngineDeps) {
    this.#deps = deps;
    const { store, clock, config, log } = deps;
    const blocked = blockedAddresses(config.webhookBlockedAddresses);
    this.#blocked = blocked;
    this.#sender = new ThreadedSender(
      () => ({
        timeoutMs: config.webhookTimeoutMs,
        connectionsPerOrigin: config.webhookConcurrencyPerListener,
        blockedAddresses: config.webhookBlockedAddresses,
        self: deps.self(),
      }),
      { lost: (why) => log.error({ why }, 'webhook sender thread lost; its POSTs in flight are retried') },
    );
    const slots = new ListenerSlots(config.webhookConcurrencyPerListener);
    this.#slots = slots;
    if (config.webhookConcurrencyPerListener > config.dispatchConcurrency) {
      log.warn(
        { webhookConcurrency: config.webhookConcurrencyPerListener, dispatchConcurrency: config.dispatchConcurrency },
        `SWITCHBOARD_WEBHOOK_CONCURRENCY is above SWITCHBOARD_DISPATCH_CONCURRENCY: a listener gets at most ${config.dispatchConcurrency} POSTs at once (the webhook workers of this instance); raise SWITCHBOARD_DISPATCH_CONCURRENCY for more`,
      );
    }
    // An attempt holds its job for at most three timeouts (the sender aborts the POST then), plus
    // 5 s for reading the notification before and recording the outcome after.
    const attemptMs = 3 * config.webhookTimeoutMs + 5_000;
    // Host and pid, like the other runners: an operator sees which instance holds a job.
    this.#workerId = `webhooks-${hostname()}-${process.pid}-${randomUUID()}`;
    this.#jobs = new ListenerLimitedJobs(store.jobs, store.notifications, slots, () => this.poke(), { workers: config.dispatchConcurrency, attemptMs });
    const handlers = [
      deliverHandler({ notifications: store.notifications, sender: this.#sender, clock, log, self: deps.self, blocked }),
    ].map((h) => releasingSlot(h, slots, () => this.poke()));
    this.#runner = new JobRunner({
      jobs: this.#jobs,
      clock,
      workerId: this.#workerId,
      handlers,
      schedule: (attempt, now) => nextRunAt(attempt, now, { baseMs: config.retryBaseMs, capMs: config.retryCapMs }),
      concurrency: config.dispatchConcurrency,
      // Longer than a job claimed ahead waits for a slot (until one of the listener's POSTs ends)
      // and then its own attempt takes, so a live worker never loses its job; after a crash the
      // job runs again once this has passed. A job kept ahead longer is renewed (ListenerLimitedJobs).
      leaseMs: 3 * config.webhookTimeoutMs + attemptMs,
    });
    this.#runner.on('error', runnerErrors(log, 'webhook runner error'));
  }

  start(): void {
    this.#runner.start();
    this.#unsubscribe = this.#deps.store.onJobsAvailable?.(this.#runner.kinds, () => this.poke());
  }

  /** New notifications were committed: look now instead of at the next poll. */
  poke(): void {
    this.#runner.poke();
  }

  /**
   * A notification for listener `queue` was committed: look now, unless that listener has no
   * free slot — then the end of one of its POSTs looks. A claim for nothing costs a write (on the
   * SMPP path nearly half the claims were such, made while the one listener was busy).
   */
  notified(queue: string): void {
    if (this.#slots.free(queue) > 0) this.#runner.poke();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await this.#runner.stop();
    await this.#jobs.giveBack(this.#workerId, this.#deps.clock.now());
    await this.#sender.close();
  }

  /** The runner's typed events (job:claimed, job:retry, job:exhausted, …), for metrics. */
  get events(): Pick<JobRunner, 'on' | 'off'> {
    return this.#runner;
  }

  /** Whether an app of `realm` may register `url` as a listener (see listener-url.ts). */
  checkListenerUrl(url: unknown, realm: string): ListenerUrlVerdict {
    return checkListenerUrl(url, realm, this.#deps.self(), this.#blocked);
  }

  deadLetters(appId: string, limit: number): Promise<DeadLetter[]> {
    return this.#deps.store.notifications.deadLetters(appId, limit);
  }

  /**
   * Sends a dead letter again with a fresh retry window. Its URL is looked up again when it came
   * from the app's registration (the short code's listener, the delivery status URL), so replaying
   * after fixing a listener reaches the fixed one. An MO whose short code (still the app's) went
   * over to polling goes to its inbox instead, as a new message would, rather than to the listener
   * the app gave up. Undefined when the app has no such dead letter.
   */
  async replay(appId: string, id: string): Promise<Replayed | undefined> {
    const { store, clock, config } = this.#deps;
    const dead = await store.notifications.deadLetter(appId, id);
    if (dead === undefined) return undefined;
    const now = clock.now();
    let url = dead.url;
    if (dead.target === 'listener' && dead.shortCode !== null) {
      const code = await store.shortCodes.get(dead.shortCode);
      if (code?.appId === appId && code.listenerUrl !== null) url = code.listenerUrl;
      const mo = code?.appId === appId && code.moDelivery === 'poll' ? moOfAttCallback(dead.body) : undefined;
      if (mo !== undefined) {
        const moved = await store.inbox.fromDeadLetter(appId, { ...mo, id, to: dead.shortCode, receivedAt: dead.createdAt }, now + config.inboxRetentionS * 1000);
        return moved ? { id, url: null, state: 'inbox' } : undefined;
      }
    } else if (dead.target === 'delivery-status-url') {
      url = (await store.apps.get(appId))?.deliveryStatusUrl ?? url;
    }
    const done = await store.notifications.replay(appId, id, { url, queue: listenerQueue(url), now, deadlineAt: now + config.webhookRetryWindowS * 1000 });
    if (!done) return undefined;
    this.poke();
    return { id, url, state: 'pending' };
  }
}
