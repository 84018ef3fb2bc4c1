import type { Clock } from '../clock.js';
import type { Connector } from '../network/connector.js';
import { SUBMIT_KIND } from '../sms/send.js';
import type { Job } from '../store/repos/jobs.js';
import type { FinalizeResult, DlrNotificationBuilder } from '../store/repos/messages.js';
import type { Store } from '../store/store.js';
import type { JobHandler, JobLease, JobOutcome } from './runner.js';

export interface SubmitWorkerDeps {
  readonly store: Store;
  readonly log: { warn(obj: object, msg: string): void };
  readonly clock: Clock;
  readonly connector: Connector;
  /** How long a final status stays readable. */
  readonly statusRetentionMs: number;
  readonly notify: DlrNotificationBuilder;
  /** Called after a recipient turned final here (given up). */
  readonly onFinal: (result: FinalizeResult) => void;
}

/**
 * The 'submit' job: hands one recipient's copy of a message to the network through the Connector.
 * Accepted → `DeliveredToNetwork` (the receipt finishes it later); a temporary refusal (handset
 * off, link down, throttled) is retried by the runner on the back-off schedule until the network
 * retry window ends; a permanent refusal or the end of the window → `DeliveryImpossible`.
 */
export function submitWorker(deps: SubmitWorkerDeps): JobHandler {
  const { store, clock, connector, statusRetentionMs, notify, onFinal, log } = deps;
  return {
    kind: SUBMIT_KIND,
    async run(job: Job, lease: JobLease): Promise<JobOutcome> {
      const found = await store.messages.recipient(job.ref);
      // Gone (its app was deleted) or already with the network before a crash: nothing to do.
      if (found === undefined || found.recipient.status !== 'Pending') return { ok: true };
      const { message, recipient } = found;
      const result = await connector.submit({
        recipientId: recipient.id,
        messageId: message.id,
        from: message.sender,
        to: recipient.e164,
        text: message.text,
        encoding: message.encoding,
        segments: message.segments,
        wantReceipt: true,
        firstAttempt: job.attempts === 1,
        heldUntil: lease.heldUntil,
      });
      if (result.ok) {
        const acked = await store.messages.markSubmitted(recipient.id, result.networkId, clock.now(), { jobId: job.id, workerId: lease.workerId });
        return { ok: true, acked };
      }
      return { ok: false, retry: result.kind === 'temporary', error: `${result.code}: ${result.detail}` };
    },
    async exhausted(job: Job, error: string): Promise<'drop'> {
      // The one trace of why: a refusal for good (a carrier's setting, an invalid number) or the
      // end of the retry window. Statuses only say DeliveryImpossible.
      log.warn({ recipientId: job.ref, network: connector.name, attempts: job.attempts, error }, 'message not delivered: recipient DeliveryImpossible');
      const done = await store.messages.finalize({ recipientId: job.ref }, 'DeliveryImpossible', clock.now(), statusRetentionMs, notify);
      if (done !== undefined) onFinal(done);
      // The recipient's status says what happened; the job itself has nothing left to show.
      return 'drop';
    },
  };
}
