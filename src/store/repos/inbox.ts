import type { NewNotification } from './notifications.js';
import type { SubscriptionRecord } from './subscriptions.js';

/** A whole MO message waiting in a poll-mode short code's inbox. */
export interface InboxMessage {
  /** `MO` + 24 hex digits (see newMoId). */
  readonly id: string;
  readonly appId: string;
  /** Destination short code, digits only. */
  readonly shortCode: string;
  /** Sender, E.164. */
  readonly sender: string;
  readonly text: string;
  readonly receivedAt: number;
}

/** A whole MO message as inbound routing hands it to the store. */
export interface IncomingMo {
  readonly id: string;
  /** Sender, E.164. */
  readonly from: string;
  /** Destination short code, digits only. */
  readonly to: string;
  readonly text: string;
  readonly receivedAt: number;
}

export type UnroutedReason = 'unknown-short-code' | 'incomplete';

/** Where one MO message goes; decided by inbound routing (src/inbound/routing.ts). */
export type MoDisposition =
  | { readonly kind: 'inbox'; readonly appId: string; readonly expiresAt: number }
  | { readonly kind: 'notify'; readonly notification: NewNotification }
  | { readonly kind: 'unrouted'; readonly reason: UnroutedReason };

/** An MO message that could not be routed, kept for the operator. */
export interface UnroutedMo {
  readonly id: string;
  readonly shortCode: string;
  readonly sender: string;
  readonly text: string;
  readonly reason: UnroutedReason;
  readonly receivedAt: number;
}

/** One part of a concatenated MO message (UDH reference, total, sequence). */
export interface MoPartRecord {
  readonly source: string;
  readonly destination: string;
  readonly reference: number;
  readonly total: number;
  readonly seq: number;
  /** Raw user data (UDH stripped) and its SMPP data_coding, decoded once the set is whole. */
  readonly payload: Uint8Array;
  readonly dataCoding: number;
  readonly receivedAt: number;
}

/** What names a set of parts: the parts of one long message share it. */
export interface PartSet {
  readonly source: string;
  readonly destination: string;
  readonly reference: number;
  readonly total: number;
}

/** The message a completed part set makes, and where it goes. */
export interface AssembledMo {
  readonly mo: IncomingMo;
  readonly disposition: MoDisposition;
}

/**
 * How inbound makes messages of part sets (src/inbound/service.ts). Called inside the store's
 * transaction, which may run more than once: synchronous, without effects, must not throw.
 */
export interface PartSetHandler {
  /** The message parts in seq order make: a whole set, or what arrived of one given up on. */
  message(parts: readonly MoPartRecord[]): IncomingMo;
  /** The forms of a whole message's first word its subscriptions are looked up by (SubscriptionRepo.inboundFor). */
  keywords(mo: IncomingMo): readonly string[];
  /** Where a whole message goes, given the subscriptions found for it. */
  route(mo: IncomingMo, subscriptions: readonly SubscriptionRecord[]): MoDisposition;
}

export type PartOutcome =
  /** The same bytes under the same number as a part of its set, or of a message assembled within the tombstone window: nothing new. */
  | { readonly state: 'duplicate' }
  | { readonly state: 'waiting'; readonly have: number }
  | { readonly state: 'complete'; readonly result: AssembledMo };

/**
 * The inbound side of the store: whole MO messages and their routing, parts of long ones, the
 * poll inbox and the dead letters of routing. Each method is one transaction, so a message is
 * never lost between "persisted" and "routed".
 */
export interface InboxRepo {
  /**
   * Records one whole MO message where `disposition` says (inbox row, notification + its webhook
   * job, or unrouted row). With `dedupKey`, a second call with the same key before `dedupUntil`
   * writes nothing and returns false.
   */
  record(mo: IncomingMo, disposition: MoDisposition, dedup?: { key: string; until: number }): Promise<boolean>;
  /**
   * Stores one part. When it completes its set, the set is deleted and the whole message recorded
   * where `handler` routes it (its subscriptions read in the same transaction); each part is remembered until
   * `tombstoneUntil` (its tombstone). A part under the number of a stored one with other bytes
   * starts a new message reusing the reference: the stored set goes to the unrouted table
   * (reason 'incomplete'). A part matching a tombstone is stored as known; a set whose parts are
   * all known (the network sending an assembled message again) is dropped, not delivered again.
   */
  addPart(part: MoPartRecord, tombstoneUntil: number, handler: PartSetHandler): Promise<PartOutcome>;
  /**
   * Removes and returns up to `limit` unexpired messages of the app's short code, oldest first,
   * and counts those still pending. Atomic: concurrent takers never get the same message.
   */
  take(appId: string, shortCode: string, limit: number, now: number): Promise<{ messages: InboxMessage[]; pending: number }>;
  /**
   * Moves the app's dead letter `mo.id` (an MO notification) into its inbox as `mo`, until
   * `expiresAt`: the notification and its job go and the inbox row comes in one write. False when
   * the app has no such dead letter (replayed or swept meanwhile).
   */
  fromDeadLetter(appId: string, mo: IncomingMo, expiresAt: number): Promise<boolean>;
  /** Deletes expired inbox messages and dedup keys; returns how many inbox messages went. */
  purge(now: number): Promise<number>;
  /** Up to `limit` part sets whose first part arrived before `startedBefore`, oldest first. */
  expiredPartSets(startedBefore: number, limit: number): Promise<PartSet[]>;
  /**
   * Moves one part set to the unrouted table (reason 'incomplete', the parts' texts joined in order
   * by `decode`), in one transaction, or deletes it when every part is known (repeats of what was
   * delivered); true when it was moved, false when deleted so or gone (completed since the scan).
   */
  expirePartSet(set: PartSet, decode: (parts: readonly MoPartRecord[]) => string, newId: () => string): Promise<boolean>;
  /** The newest unrouted messages first. */
  unrouted(limit: number): Promise<UnroutedMo[]>;
  /** Deletes at most `limit` unrouted messages received before `before`; returns how many. */
  sweepUnrouted(before: number, limit: number): Promise<number>;
}
