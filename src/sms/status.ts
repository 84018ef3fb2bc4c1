import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import type { DeliveryStatus, FinalStatus, MessageRecord, RecipientRecord } from '../store/repos/messages.js';
import type { Store } from '../store/store.js';
import { MESSAGE_ID } from './ids.js';

/** The statuses the API shows. `MessageWaiting` is OneAPI's word for "not yet with the network". */
export type ShownStatus = Exclude<DeliveryStatus, 'Pending'> | 'MessageWaiting';

export interface StatusEntry {
  readonly recipient: RecipientRecord;
  readonly status: ShownStatus;
}

/**
 * What a recipient's state reads as, in a status answer or a notification. AT&T clients know only
 * the three documented values, so there a copy we still hold for the network reads
 * `DeliveredToNetwork` (the gateway is the network's front door) and one the network never reported
 * on reads `DeliveryImpossible` (AT&T's "failed/expired" once the network's retry window is over);
 * OneAPI has `MessageWaiting` and `DeliveryUncertain` for them (contract §9).
 */
export function shownStatus(status: FinalStatus, flavour: 'att' | 'oneapi'): FinalStatus;
export function shownStatus(status: DeliveryStatus, flavour: 'att' | 'oneapi'): ShownStatus;
export function shownStatus(status: DeliveryStatus, flavour: 'att' | 'oneapi'): ShownStatus {
  if (status === 'Pending') return flavour === 'oneapi' ? 'MessageWaiting' : 'DeliveredToNetwork';
  return flavour === 'att' && status === 'DeliveryUncertain' ? 'DeliveryImpossible' : status;
}

/**
 * Get SMS Delivery Status (contract §4, §9). Unknown, expired, already-read-after-final, another
 * app's, and AT&T `notifyDeliveryStatus` messages all answer the same 400 SVC0002, so an app cannot
 * probe for other apps' message ids (the contract's 403 POL0002 for a foreign id would confirm that
 * the id exists). OneAPI messages with a `receiptRequest` stay pollable, as in GSMA OneAPI.
 * `consume: false` reads without using up the read-once final status (see MessageRepo.readStatus).
 */
export async function readDeliveryStatus(
  deps: { store: Store; clock: Clock },
  appId: string,
  messageId: string,
  flavour: 'att' | 'oneapi',
  options: { readonly consume?: boolean } = {},
): Promise<{ message: MessageRecord; entries: StatusEntry[] }> {
  const notFound = () => new ApiError('SVC0002', [flavour === 'oneapi' ? 'requestId' : 'RequestIdentifier']);
  if (!MESSAGE_ID.test(messageId)) throw notFound();
  const found = await deps.store.messages.readStatus(appId, messageId, deps.clock.now(), options);
  if (found === undefined) throw notFound();
  return {
    message: found.message,
    entries: found.recipients.map((recipient) => ({ recipient, status: shownStatus(recipient.status, flavour) })),
  };
}
