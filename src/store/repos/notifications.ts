import type { ClaimOptions, Job } from './jobs.js';

/** The job kind that carries one notification's POSTs (ref = notification id). */
export const WEBHOOK_JOB_KIND = 'webhook';

export type NotificationKind = 'mo' | 'dlr';

/**
 * Where a notification's URL came from. A replay looks the first two up again, so an operator who
 * fixed a listener URL can replay dead letters to the new one; 'client' URLs came with the request.
 */
export type NotificationTarget = 'listener' | 'delivery-status-url' | 'client';

/** A notification as stored: what its POST carries and to whom. */
export interface NotificationRecord {
  /** The event id, the same on every attempt (`X-Switchboard-Event-Id`). */
  readonly id: string;
  readonly appId: string;
  readonly kind: NotificationKind;
  readonly target: NotificationTarget;
  /** The short code whose listener is the target (for 'listener'), else informative. */
  readonly shortCode: string | null;
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
  readonly createdAt: number;
}

export interface NewNotification extends NotificationRecord {
  /** Jobs of one queue share the per-listener concurrency limit (see webhooks/queue.ts). */
  readonly queue: string;
  readonly deadlineAt: number;
}

/** A notification whose retry window ended without an ack. */
export interface DeadLetter extends NotificationRecord {
  readonly attempts: number;
  readonly lastError: string | null;
}

export interface ListenerClaimOptions extends ClaimOptions {
  /** How many more jobs of a queue may start now (the listener's free concurrency slots). */
  readonly freeSlots: (queue: string) => number;
  /**
   * Whether to look past the head of the due jobs, when it belongs to listeners with no free
   * slot, for other listeners' jobs however long the backlogs before them (default true). That
   * look reads the oldest due job of every listener, so a claimer does it now and then rather
   * than on every claim (ListenerLimitedJobs).
   */
  readonly lookPastBusy?: boolean;
}

/**
 * Notifications and the jobs that deliver them. A notification row lives until its listener acks
 * (deleted) or its retry window ends (its job is buried: a dead letter until replayed).
 */
export interface NotificationRepo {
  /**
   * Creates the notification and its webhook job in one transaction, due at once. A second call
   * with the same id writes nothing and returns false (triggers may run twice after a crash).
   */
  create(notification: NewNotification): Promise<boolean>;
  /** The notification with the signing secret of its app. */
  get(id: string): Promise<{ notification: NotificationRecord; signingSecret: string } | undefined>;
  /**
   * The listener acknowledged the notification of webhook job `jobId`: the notification and the
   * job go in one write. False (and nothing deleted) when `workerId` no longer holds the job.
   */
  acknowledge(jobId: string, workerId: string): Promise<boolean>;
  /**
   * Claims due jobs of `kinds` like JobRepo.claim, but never more of one queue than
   * `freeSlots(queue)`, so a slow listener's backlog cannot take every worker.
   */
  claimForListeners(options: ListenerClaimOptions): Promise<Job[]>;
  /** The app's dead letters, oldest first. */
  deadLetters(appId: string, limit: number): Promise<DeadLetter[]>;
  /** One of the app's dead letters, or undefined. */
  deadLetter(appId: string, id: string): Promise<DeadLetter | undefined>;
  /**
   * Brings a dead letter back: its job is ready again at `now` with fresh attempts and a new
   * deadline, its URL (and queue) as given. False when the app has no such dead letter.
   */
  replay(appId: string, id: string, change: { url: string; queue: string; now: number; deadlineAt: number }): Promise<boolean>;
  /** Deletes at most `limit` dead letters whose retry window ended before `before`; returns how many. */
  sweepDeadLetters(before: number, limit: number): Promise<number>;
}
