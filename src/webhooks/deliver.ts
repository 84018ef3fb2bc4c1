import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { JobHandler, JobOutcome } from '../dispatch/runner.js';
import type { Job } from '../store/repos/jobs.js';
import { WEBHOOK_JOB_KIND, type NotificationRepo } from '../store/repos/notifications.js';
import type { IsBlocked } from './blocked-addresses.js';
import { normalHost, pointsAtSelf, type SelfEndpoint } from './listener-url.js';
import type { WebhookSender } from './sender.js';
import { signatureHeaders } from './signing.js';

export interface DeliverDeps {
  readonly notifications: NotificationRepo;
  readonly sender: Pick<WebhookSender, 'post'>;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  readonly self: () => readonly SelfEndpoint[];
  readonly blocked: IsBlocked;
}

/**
 * One attempt at POSTing a notification (job kind 'webhook', ref = notification id). Any 2xx
 * acknowledges it: the runner then deletes the notification with its job (ListenerLimitedJobs);
 * everything else is retried by the runner with the back-off schedule until the retry window
 * ends, then the job is buried: a dead letter. At-least-once: an ack that is lost (crash before
 * the job is completed) means one more POST with the same X-Switchboard-Event-Id.
 */
export function deliverHandler(deps: DeliverDeps): JobHandler {
  return {
    kind: WEBHOOK_JOB_KIND,
    async run(job: Job): Promise<JobOutcome> {
      const found = await deps.notifications.get(job.ref);
      // Acknowledged before a crash, or its app was deleted: nothing left to send.
      if (found === undefined) return { ok: true };
      const { notification, signingSecret } = found;
      let url: URL;
      try {
        url = new URL(notification.url);
      } catch {
        return { ok: false, retry: false, error: 'listener URL is not a URL' };
      }
      // Checked at registration too; this catches a gateway that moved onto the listener's port.
      if (pointsAtSelf(url, deps.self())) return { ok: false, retry: false, error: "listener URL points at the gateway's own port" };
      // Registered before the operator blocked its range, or written by the CLI: it stays blocked.
      if (deps.blocked(url.hostname)) return { ok: false, retry: false, error: `listener URL's host is a blocked address ${normalHost(url.hostname)}` };
      const headers = {
        'content-type': notification.contentType,
        'user-agent': 'Switchboard-Webhooks/1',
        ...signatureHeaders(signingSecret, notification.id, notification.body, deps.clock.now()),
      };
      const result = await deps.sender.post(notification.url, headers, notification.body);
      if (!result.ok) {
        // The operator's setting refused it (a name resolving into a blocked range): worth seeing.
        if (result.blocked === true) deps.log.warn({ event: notification.id, app: notification.appId, host: url.host, attempt: job.attempts, error: result.error }, 'webhook attempt refused');
        else deps.log.debug({ event: notification.id, attempt: job.attempts, error: result.error }, 'webhook attempt failed');
        return { ok: false, retry: true, error: result.error };
      }
      return { ok: true };
    },
    async exhausted(job: Job, error: string): Promise<'bury'> {
      deps.log.warn({ event: job.ref, attempts: job.attempts, error }, 'webhook dead-lettered');
      return 'bury';
    },
  };
}
