import type { NewJob } from '../store/repos/jobs.js';
import type { MessageRecord, NotifyJobBuilder, RecipientRecord } from '../store/repos/messages.js';
import { toTelUri } from './address.js';

/** Job kind of a delivery-status notification; the webhooks area handles it (ref = recipient id). */
export const DLR_NOTIFY_KIND = 'dlr-notify';

/**
 * Everything a delivery-status notification needs, carried on its job so the notifier never reads
 * the message tables (the status may be read and removed before the notification goes out).
 *
 * AT&T form (contract §7.2): `{"deliveryInfoNotification":{"messageId","deliveryInfo":{"address","deliveryStatus"}}}`;
 * OneAPI form (§11): the same with `callbackData`.
 */
export interface DlrNotifyPayload {
  /** 'att': POST to the app's delivery status URL; 'oneapi': to the request's `receiptRequest.notifyURL`. */
  readonly flavour: 'att' | 'oneapi';
  readonly appId: string;
  readonly messageId: string;
  readonly recipientId: string;
  /** `tel:+1NNNNNNNNNN` (contract §12: the normalised form in notifications). */
  readonly address: string;
  /** The caller's own spelling of the address. */
  readonly addressOriginal: string;
  readonly deliveryStatus: 'DeliveredToTerminal' | 'DeliveryImpossible';
  /** The URL at the time of sending: the app's delivery status URL (att) or the notifyURL (oneapi). */
  readonly notifyUrl: string | null;
  readonly callbackData: string | null;
  /** Epoch ms of the final state. */
  readonly at: number;
}

/** The notification job for a recipient that just turned final, when its message asked for one. */
export function dlrNotifyJob(webhookRetryWindowMs: number): NotifyJobBuilder {
  return (message: MessageRecord, recipient: RecipientRecord): NewJob | null => {
    if (message.notifyMode === 'none' || recipient.finalAt === null) return null;
    if (recipient.status !== 'DeliveredToTerminal' && recipient.status !== 'DeliveryImpossible') return null;
    const payload: DlrNotifyPayload = {
      flavour: message.notifyMode,
      appId: message.appId,
      messageId: message.id,
      recipientId: recipient.id,
      address: toTelUri(recipient.e164),
      addressOriginal: recipient.addressOriginal,
      deliveryStatus: recipient.status,
      notifyUrl: message.notifyUrl,
      callbackData: message.callbackData,
      at: recipient.finalAt,
    };
    return {
      kind: DLR_NOTIFY_KIND,
      ref: recipient.id,
      queue: message.appId,
      payload: JSON.stringify(payload),
      runAt: recipient.finalAt,
      deadlineAt: recipient.finalAt + webhookRetryWindowMs,
    };
  };
}
