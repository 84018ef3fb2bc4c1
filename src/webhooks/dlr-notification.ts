import { isFinalStatus, type DlrNotificationBuilder } from '../store/repos/messages.js';
import { shownStatus } from '../sms/status.js';
import { toTelUri } from '../sms/address.js';
import { attDeliveryNotification, oneapiDeliveryNotification, serialize } from './bodies.js';
import { listenerQueue } from './slots.js';

/** The event id of a recipient's delivery notification: derived, so it is the same on every attempt. */
export function dlrEventId(recipientId: string): string {
  return `dlr-${recipientId}`;
}

/**
 * The delivery-status notification of a recipient that just turned final, in the form its send
 * asked for — AT&T §7.2 for `notifyDeliveryStatus` (to the app's delivery status URL as it was
 * when the message was sent), OneAPI §11 with `callbackData` for `receiptRequest` or a
 * delivery-receipt subscription — with the status as that flavour shows it (sms/status.ts). The
 * receipt's transaction stores it with its webhook job, so delivery, retries, the per-listener
 * limit and dead letters are those of every notification.
 */
export function dlrNotificationBuilder(webhookRetryWindowMs: number): DlrNotificationBuilder {
  return (message, recipient) => {
    if (message.notifyMode === 'none' || message.notifyUrl === null || recipient.finalAt === null) return null;
    if (!isFinalStatus(recipient.status)) return null;
    const address = toTelUri(recipient.e164);
    const status = shownStatus(recipient.status, message.notifyMode);
    const body =
      message.notifyMode === 'att'
        ? attDeliveryNotification(message.id, address, status)
        : oneapiDeliveryNotification(message.id, address, status, message.callbackData);
    const { contentType, text } = serialize(body, 'JSON');
    return {
      id: dlrEventId(recipient.id),
      appId: message.appId,
      kind: 'dlr',
      target: message.notifyMode === 'att' ? 'delivery-status-url' : 'client',
      shortCode: null,
      url: message.notifyUrl,
      contentType,
      body: text,
      createdAt: recipient.finalAt,
      queue: listenerQueue(message.notifyUrl),
      deadlineAt: recipient.finalAt + webhookRetryWindowMs,
    };
  };
}
