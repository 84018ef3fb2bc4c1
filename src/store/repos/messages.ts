import type { HeldJob, NewJob } from './jobs.js';
import type { NewNotification } from './notifications.js';

/** Which API generation accepted a message; decides the shape of replies about it. */
export type SendApi = 'att-v3' | 'att-v2' | 'oneapi-1' | 'oneapi-2' | 'oneapi-3';

/** 'none': the status is polled; 'att': AT&T `notifyDeliveryStatus`; 'oneapi': OneAPI `receiptRequest`. */
export type NotifyMode = 'none' | 'att' | 'oneapi';

/**
 * A recipient's final state. `DeliveryUncertain` (GSMA OneAPI's "delivery status unknown", contract
 * §9): the network took the message but never reported on it (an SMSC's receipt that did not come).
 * AT&T paths show it as `DeliveryImpossible` (sms/status.ts).
 */
export type FinalStatus = 'DeliveredToTerminal' | 'DeliveryImpossible' | 'DeliveryUncertain';

/**
 * A recipient's delivery state. `Pending` = accepted by us, not yet by the network;
 * `DeliveredToNetwork` and the final ones are the API's (contract §4, §9).
 */
export type DeliveryStatus = 'Pending' | 'DeliveredToNetwork' | FinalStatus;

export const FINAL_STATUSES: readonly FinalStatus[] = ['DeliveredToTerminal', 'DeliveryImpossible', 'DeliveryUncertain'];

export function isFinalStatus(status: string): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** The answer given when the message was accepted, kept so an idempotent repeat gets it again. */
export interface StoredResponse {
  readonly status: number;
  readonly location: string | null;
  readonly body: Record<string, unknown>;
}

/**
 * Starts the request hashes stored before migration 0091, which took the sender and the receipt
 * target from the app's settings (sms/send.ts compares those the old way).
 */
export const LEGACY_HASH_PREFIX = 'legacy:';

/** The keys a send can be repeated by: its `Idempotency-Key`, its OneAPI `clientCorrelator`. */
export interface IdempotencyKeys {
  readonly appId: string;
  readonly idempotencyKey: string | null;
  readonly clientCorrelator: string | null;
}

/**
 * A send's keys with what a repeat needs, kept until `expiresAt` whatever became of the message
 * (its status may be deleted long before).
 */
export interface IdempotencyRecord extends IdempotencyKeys {
  readonly messageId: string;
  /** What a repeat is compared with. */
  readonly requestHash: string;
  readonly response: StoredResponse;
  readonly expiresAt: number;
}

/**
 * What a OneAPI send asked that no other field of its message holds, as the client wrote it: GET on
 * the request's resourceURL echoes it. `receiptRequest` only when the request carried one (a
 * delivery-receipt subscription's target is not the request's).
 */
export interface OneApiRequestFields {
  readonly senderAddress: string;
  readonly clientCorrelator?: string;
  readonly receiptRequest?: { readonly notifyURL: string; readonly callbackData?: string };
  readonly senderName?: string;
}

export interface MessageRecord {
  readonly id: string;
  readonly appId: string;
  readonly api: SendApi;
  /** Sender short code, digits only. */
  readonly sender: string;
  readonly text: string;
  readonly encoding: 'GSM7' | 'LATIN1' | 'UCS2';
  readonly segments: number;
  readonly notifyMode: NotifyMode;
  readonly notifyUrl: string | null;
  readonly callbackData: string | null;
  readonly createdAt: number;
  readonly statusExpiresAt: number | null;
  readonly statusConsumed: boolean;
  /** OneAPI sends; null on AT&T paths (and on OneAPI messages stored before it was kept). */
  readonly oneapiRequest: OneApiRequestFields | null;
}

export interface RecipientRecord {
  /** `<messageId>-<seq>`. */
  readonly id: string;
  readonly messageId: string;
  readonly seq: number;
  readonly addressOriginal: string;
  readonly e164: string;
  readonly status: DeliveryStatus;
  readonly networkId: string | null;
  readonly finalAt: number | null;
  readonly updatedAt: number;
}

export type AcceptResult =
  | { readonly created: true }
  /** Another message of the app already holds the idempotency key or client correlator. */
  | { readonly created: false; readonly existing: IdempotencyRecord }
  /** Another message holds this message's id (another instance drew it too): nothing was written. */
  | { readonly created: false; readonly existing: undefined };

/** Where a receipt or a give-up points: our recipient id, or the network's id for the submit. */
export type RecipientTarget = { readonly recipientId: string } | { readonly networkId: string };

export interface FinalizeResult {
  readonly message: MessageRecord;
  readonly recipient: RecipientRecord;
  /** Every recipient of the message is final now. */
  readonly messageFinal: boolean;
}

/**
 * Builds the delivery notification to commit with a final state, or null when none is wanted.
 * Pure: it may be called for a finalize that then finds the recipient already final (and stores
 * nothing).
 */
export type DlrNotificationBuilder = (message: MessageRecord, recipient: RecipientRecord) => NewNotification | null;

/**
 * Outbound messages and their per-recipient delivery status. Accepting writes the message, its
 * recipients, their submit jobs and the send's idempotency keys in one transaction; the keys then
 * live for their own retention, apart from the message. A final state is written together with its
 * notification (and its webhook job), so neither can exist without the other.
 */
export interface MessageRepo {
  /**
   * Commits the message, its recipients, `jobs` and its idempotency `keys` atomically. When the app
   * already holds the idempotency key or client correlator (for a message sent within its
   * retention), nothing is written and that send's record is returned instead (concurrent
   * duplicates included: a unique index decides). Throws AppGoneError when the app no longer exists.
   */
  accept(message: MessageRecord, recipients: readonly RecipientRecord[], jobs: readonly NewJob[], keys?: IdempotencyRecord): Promise<AcceptResult>;
  /** The send that holds the idempotency key, else the one that holds the client correlator. */
  findIdempotent(keys: IdempotencyKeys): Promise<IdempotencyRecord | undefined>;
  /** A recipient with its message, for dispatch. */
  recipient(recipientId: string): Promise<{ message: MessageRecord; recipient: RecipientRecord } | undefined>;
  /**
   * The network accepted the submit: remember its id; `Pending` becomes `DeliveredToNetwork`.
   * With `ack`, the submit job is deleted in the same write (if `ack` still holds it); true when
   * it was, so the caller need not delete it.
   */
  markSubmitted(recipientId: string, networkId: string, now: number, ack?: HeldJob): Promise<boolean>;
  /**
   * Puts a recipient in a final state, once: a recipient already final is left alone and undefined
   * is returned, so a repeated receipt never notifies twice. When the last recipient turns final
   * the message's status starts to expire (`retentionMs` later). The notification `notify` builds
   * is stored with its webhook job in the same transaction.
   */
  finalize(
    target: RecipientTarget,
    status: FinalStatus,
    at: number,
    retentionMs: number,
    notify: DlrNotificationBuilder,
  ): Promise<FinalizeResult | undefined>;
  /**
   * The app's message and recipients for a status query, or undefined when it is unknown, another
   * app's, expired or already read after it became final. Reading a final status consumes it,
   * unless `consume` is false (GET on a OneAPI request shows the status it holds: the status
   * query after it must still answer as if it had not been made).
   */
  readStatus(appId: string, messageId: string, now: number, options?: { readonly consume?: boolean }): Promise<{ message: MessageRecord; recipients: RecipientRecord[] } | undefined>;
  /**
   * Ids of recipients to `e164` still waiting for the network (to wake their jobs): at most
   * `limit`, in id order, after `after` when paging.
   */
  pendingRecipientIds(e164: string, limit: number, after?: string): Promise<string[]>;
  /** Deletes up to `limit` messages whose status expired; returns how many. */
  sweep(now: number, limit: number): Promise<number>;
  /** Deletes up to `limit` idempotency records past their `expiresAt`; returns how many. */
  sweepIdempotent(now: number, limit: number): Promise<number>;
}
