/**
 * The simulated network's subscribers. Every NANP number is an on-line AT&T mobile unless an
 * operator said otherwise (design.md §3), so only changed handsets have rows.
 */
export type HandsetKind = 'mobile' | 'landline' | 'offnet';

export interface HandsetRecord {
  /** E.164. */
  readonly number: string;
  readonly online: boolean;
  readonly kind: HandsetKind;
}

export interface HandsetMessageRecord {
  readonly number: string;
  readonly direction: 'MT' | 'MO';
  /** Sender short code of an MT; destination short code of an MO. */
  readonly peer: string;
  readonly text: string;
  readonly encoding: string;
  readonly segments: number;
  readonly receivedAt: number;
}

/** A message as the handset holds it. */
export interface StoredHandsetMessage extends HandsetMessageRecord {
  /** Orders the handset's messages by arrival (epoch ms first); a page of them starts after one. */
  readonly id: string;
}

/**
 * A handset message id: 16 time-ordered hex digits, then 16 random ones; or, made by earlier
 * releases, epoch ms in decimal, a counter and 4 or 16 random hex digits (they sort first).
 */
export const HANDSET_MESSAGE_ID = /^(?:[0-9a-f]{16}-[0-9a-f]{16}|\d{15}-\d{6}-[0-9a-f]{4,16})$/;

export interface HandsetRepo {
  /** The handset's state; the default for a number never changed. */
  get(number: string): Promise<HandsetRecord>;
  update(number: string, changes: { online?: boolean; kind?: HandsetKind }, now: number): Promise<HandsetRecord>;
  /**
   * Puts an MT on the handset unless one with the same `ref` is already there (a submit repeated
   * after a crash). True when it was added.
   */
  deliverMt(message: HandsetMessageRecord & { readonly ref: string }): Promise<boolean>;
  recordMo(message: HandsetMessageRecord): Promise<void>;
  /** The handset's messages in one direction, oldest first: the first `limit` whose id is after `after` (or from the oldest). */
  messages(number: string, direction: 'MT' | 'MO', page: { readonly after?: string; readonly limit: number }): Promise<StoredHandsetMessage[]>;
  /** Deletes at most `limit` messages (any handset) received before `before`; returns how many. */
  sweepMessages(before: number, limit: number): Promise<number>;
}
