import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { JobHandler, JobOutcome } from '../dispatch/runner.js';
import { DLR_NOTIFY_KIND, type DlrNotifyPayload } from '../sms/dlr-notify.js';
import type { AppRepo } from '../store/repos/apps.js';
import type { Job } from '../store/repos/jobs.js';
import type { NotificationRepo } from '../store/repos/notifications.js';
import { attDeliveryNotification, oneapiDeliveryNotification, serialize } from './bodies.js';
import { listenerQueue } from './slots.js';

export interface DlrTriggerDeps {
  readonly notifications: NotificationRepo;
  readonly apps: AppRepo;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  /** Called after a notification was created, so the webhook runner looks at once. */
  readonly created: () => void;
}

/** The event id of a recipient's delivery notification: derived, so a re-run creates nothing new. */
export function dlrEventId(recipientId: string): string {
  return `dlr-${recipientId}`;
}

function parsePayload(job: Job): DlrNotifyPayload | undefined {
  if (job.payload === null) return undefined;
  try {
    return JSON.parse(job.payload) as DlrNotifyPayload;
  } catch {
    return undefined;
  }
}

/**
 * Handles 'dlr-notify' jobs, which outbound dispatch commits together with a recipient's final
 * state (payload: DlrNotifyPayload). It turns each into a notification in the form the send asked
 * for — AT&T §7.2 for `notifyDeliveryStatus`, OneAPI §11 with `callbackData` for `receiptRequest`
 * or a delivery-receipt subscription — with its own webhook job, so delivery, retries, the
 * per-listener limit and dead letters are the same as for MO callbacks.
 */
export function dlrTriggerHandler(deps: DlrTriggerDeps): JobHandler {
  return {
    kind: DLR_NOTIFY_KIND,
    async run(job: Job): Promise<JobOutcome> {
      const p = parsePayload(job);
      if (p === undefined) return { ok: false, retry: false, error: 'dlr-notify job without a readable payload' };
      const app = await deps.apps.get(p.appId);
      // The app was deleted since the send: nobody to tell.
      if (app === undefined) return { ok: true };
      const url = p.notifyUrl ?? (p.flavour === 'att' ? app.deliveryStatusUrl : null);
      if (url === null) {
        deps.log.warn({ recipient: p.recipientId }, 'delivery notification dropped: the app has no delivery status URL');
        return { ok: true };
      }
      const body =
        p.flavour === 'att'
          ? attDeliveryNotification(p.messageId, p.address, p.deliveryStatus)
          : oneapiDeliveryNotification(p.messageId, p.address, p.deliveryStatus, p.callbackData);
      const { contentType, text } = serialize(body, 'JSON');
      const created = await deps.notifications.create({
        id: dlrEventId(p.recipientId),
        appId: p.appId,
        kind: 'dlr',
        target: p.flavour === 'att' ? 'delivery-status-url' : 'client',
        shortCode: null,
        url,
        contentType,
        body: text,
        createdAt: deps.clock.now(),
        queue: listenerQueue(url),
        deadlineAt: job.deadlineAt,
      });
      if (created) deps.created();
      return { ok: true };
    },
    async exhausted(): Promise<'bury'> {
      return 'bury';
    },
  };
}
