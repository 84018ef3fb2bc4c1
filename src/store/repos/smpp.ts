/**
 * What the SMPP connector remembers about its submits (tables from migration 0030): the combined
 * state of each recipient's message, its parts with the SMSC's message ids, and receipts that
 * matched nothing yet.
 */

export type SmppPartState = 'submitted' | 'enroute' | 'delivered' | 'undeliverable' | 'expired' | 'rejected';
export type SmppFinalState = 'delivered' | 'undeliverable' | 'expired' | 'rejected';
/** A message's: its parts' combined final state, or 'uncertain' when their receipts never came. */
export type SmppMessageFinalState = SmppFinalState | 'uncertain';

export interface SmppMessageRecord {
  readonly recipientId: string;
  readonly messageId: string;
  /** Parts the message was split into. */
  readonly total: number;
  /** Concatenation reference used in every part's UDH (kept so a retry reuses it). */
  readonly concatRef: number;
  /** Set once, when the combined state was handed to the core. */
  readonly finalState: SmppMessageFinalState | null;
  readonly finalAt: number | null;
  readonly lastReceiptAt: number | null;
  readonly createdAt: number;
}

export interface SmppPartRecord {
  readonly recipientId: string;
  /** 1-based part number. */
  readonly part: number;
  /** The message id from submit_sm_resp, as the SMSC wrote it. */
  readonly smscId: string;
  /** Normalised forms of `smscId` (network/smpp/ids.ts). */
  readonly idKey: string;
  readonly idDec: string | null;
  readonly idHex: string | null;
  readonly state: SmppPartState;
  readonly errorCode: string | null;
  readonly submittedAt: number;
  readonly receiptAt: number | null;
}

/** A part found by a receipt's id, with what the receipt needs of its message (null: no message row). */
export interface SmppPartMatch extends SmppPartRecord {
  readonly total: number | null;
  readonly messageFinal: boolean;
}

export interface HeldReceipt {
  readonly id: string;
  /** The ids the receipt names (TLV, text), as received. */
  readonly ids: readonly string[];
  readonly state: SmppPartState;
  readonly stat: string;
  readonly final: boolean;
  readonly errorCode: string | null;
  readonly receiptAt: number;
  readonly heldAt: number;
  readonly attempts: number;
}

/** What opening a message's row takes. */
export type SmppOpening = Pick<SmppMessageRecord, 'recipientId' | 'messageId' | 'total' | 'concatRef' | 'createdAt'>;

export interface SmppRepo {
  /** The recipient's message row and accepted parts (ordered by part), or undefined. */
  message(recipientId: string): Promise<{ message: SmppMessageRecord; parts: SmppPartRecord[] } | undefined>;
  /**
   * Takes the concatenation reference (0–255) for a new multi-part message to `e164`: the one after
   * the last taken for it, by any instance on the store, or a random one for a destination with
   * none kept. One atomic step, so concurrent takes, here or on other instances, get distinct
   * references until they wrap. `at` stamps the destination's use (see `prune`).
   *
   * @example
   * const ref = await repo.nextConcatRef('+14255550100', clock.now()); // 41, then 42, …, 255, 0
   */
  nextConcatRef(e164: string, at: number): Promise<number>;
  /** Creates the message row unless it exists; returns the row as stored (its concatRef wins). */
  openMessage(record: SmppOpening): Promise<SmppMessageRecord>;
  /**
   * Records a part the SMSC accepted (again, after a retry: the newest id wins). With `open`, the
   * message row is created in the same write unless it exists (a single-part message needs no
   * concatenation reference kept before its submit, so it is opened only once accepted).
   */
  recordPart(part: Omit<SmppPartRecord, 'state' | 'errorCode' | 'receiptAt'>, open?: SmppOpening): Promise<void>;
  /** Parts whose id_key, id_dec or id_hex equals one of `keys`. */
  findParts(keys: readonly string[]): Promise<SmppPartMatch[]>;
  /** Parts whose id_key equals one of `keys` (the exact matches: one index instead of three). */
  findExactParts(keys: readonly string[]): Promise<SmppPartMatch[]>;
  /**
   * Applies a receipt to a part: a final state is never replaced; an intermediate one only
   * replaces 'submitted'. Also stamps the message's last_receipt_at.
   */
  applyReceipt(recipientId: string, part: number, state: SmppPartState, errorCode: string | null, at: number): Promise<void>;
  /** Marks the message final; false when it already was (someone else reported it). */
  finalise(recipientId: string, state: SmppMessageFinalState, at: number): Promise<boolean>;
  /**
   * `applyReceipt` and `finalise` in one write, for a final receipt that settles its message on
   * its own (a single-part message); false when the message already was final.
   */
  settle(recipientId: string, part: number, state: SmppFinalState, errorCode: string | null, at: number): Promise<boolean>;
  /**
   * Open messages with every part accepted, at least one delivered, and no receipt since `before`:
   * the ones whose remaining parts may never report (settled after a grace period).
   */
  stalled(before: number, limit: number): Promise<SmppMessageRecord[]>;
  /**
   * Open messages opened before `before` with every part accepted, oldest first: the ones whose
   * receipts are overdue (settled as uncertain). One with a part never accepted is not among them:
   * dispatch gave its recipient up.
   */
  overdue(before: number, limit: number): Promise<SmppMessageRecord[]>;

  hold(receipt: HeldReceipt): Promise<void>;
  /** Held receipts not yet given up, oldest first (after `after` in that order, when given). */
  held(limit: number, after?: Pick<HeldReceipt, 'heldAt' | 'id'>): Promise<HeldReceipt[]>;
  /** A held receipt found its part: forget it. */
  release(id: string): Promise<void>;
  /** Gives up on a held receipt: kept, marked, counted. False when it was given up already (by another instance). */
  markUnmatched(id: string, at: number): Promise<boolean>;
  counts(): Promise<{ held: number; unmatched: number }>;
  /**
   * Forgets up to `limit` of: messages (with their parts) that went final before `finalBefore` or
   * were created before `openBefore` without ever going final and with a part never accepted (one
   * with all of them is `overdue`, settled, then kept as final), unmatched receipts held before
   * `finalBefore`, and the concatenation counters of destinations not sent to since the earlier
   * of the two. Returns how many went: fewer than `limit` means none are left.
   */
  prune(finalBefore: number, openBefore: number, limit: number): Promise<number>;
}
