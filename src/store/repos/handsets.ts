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
  /** The handset's messages in one direction, oldest first, at most `limit` (the newest ones). */
  messages(number: string, direction: 'MT' | 'MO', limit: number): Promise<HandsetMessageRecord[]>;
  /** Deletes at most `limit` messages (any handset) received before `before`; returns how many. */
  sweepMessages(before: number, limit: number): Promise<number>;
}
