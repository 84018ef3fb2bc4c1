/**
 * Delivery receipts (SMPP 3.4 Appendix B). A receipt is a deliver_sm (or data_sm) whose esm_class
 * message type says "SMSC delivery receipt", carrying the state in two places that carriers fill in
 * unevenly: the TLVs `receipted_message_id` (0x001E) and `message_state` (0x0427), and the
 * short_message text, whose suggested format is
 *
 *   id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text: . . . . . . . . .
 *
 *   id          the message id the SMSC gave in submit_sm_resp (in practice: decimal or hex,
 *               either case, padded with zeros or not, sometimes not the same form as the TLV)
 *   sub, dlvrd  submitted / delivered counts (3 digits), often missing
 *   submit date, done date   YYMMDDhhmm, sometimes with seconds (YYMMDDhhmmss)
 *   stat        DELIVRD EXPIRED DELETED UNDELIV ACCEPTD UNKNOWN REJECTD (and ENROUTE etc.)
 *   err         network-specific error code, often 3 digits
 *   text        the first characters of the message
 *
 * Seen in the wild: keys in other case (`Stat:`), `submit_date`, spaces around ':', fields missing
 * or in another order, `text:` last or absent. So the parser finds each key anywhere, case-
 * insensitively, and takes the value up to the next key. Where the TLVs are present they win over
 * the text (they are typed fields, the text is free-form).
 */
import { ESM_CLASS } from './pdu.js';

/** Final or intermediate state, in the port's terms. */
export type ReceiptState = 'delivered' | 'undeliverable' | 'expired' | 'rejected' | 'enroute';

export interface ParsedReceipt {
  /** The ids the receipt names: the TLV's first, then the text's (either may be missing). */
  readonly ids: readonly string[];
  readonly state: ReceiptState;
  /** The `stat:` word or message_state name the state came from, e.g. `DELIVRD`. */
  readonly stat: string;
  readonly final: boolean;
  readonly errorCode: string | undefined;
  readonly submitDate: string | undefined;
  readonly doneDate: string | undefined;
  readonly text: string | undefined;
}

export interface ReceiptFields {
  readonly esmClass: number;
  /** short_message (or message_payload) as text; receipts are ASCII. */
  readonly text: string;
  readonly receiptedMessageId: string | undefined;
  readonly messageState: number | undefined;
  /** network_error_code TLV (type octet + 2 octets), when present. */
  readonly networkErrorCode: Uint8Array | undefined;
}

const KEYS = /\b(id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err|text)\s*:\s*/gi;

/** The text's fields by canonical key (`id`, `sub`, `dlvrd`, `submitdate`, `donedate`, `stat`, `err`, `text`). */
export function parseReceiptText(text: string): Map<string, string> {
  const found: Array<{ key: string; start: number; valueStart: number }> = [];
  for (const m of text.matchAll(KEYS)) {
    const key = (m[1] ?? '').toLowerCase().replace(/[ _]/g, '');
    // A key is only a key once: `text:` may itself contain "id:" or "stat:".
    if (found.some((f) => f.key === key) || found.some((f) => f.key === 'text')) continue;
    found.push({ key, start: m.index, valueStart: m.index + m[0].length });
  }
  const fields = new Map<string, string>();
  found.forEach((f, i) => {
    const end = found[i + 1]?.start ?? text.length;
    const raw = text.slice(f.valueStart, end);
    // Every value but text is one token; text keeps its spaces (trimmed at the ends).
    const value = f.key === 'text' ? raw.trim() : (raw.trim().split(/\s+/)[0] ?? '');
    fields.set(f.key, value);
  });
  return fields;
}

/** `stat:` words → state. Unknown words are treated as intermediate (never as a final failure). */
const STAT: Record<string, { state: ReceiptState; final: boolean }> = {
  DELIVRD: { state: 'delivered', final: true },
  DELIVERED: { state: 'delivered', final: true },
  EXPIRED: { state: 'expired', final: true },
  DELETED: { state: 'undeliverable', final: true },
  UNDELIV: { state: 'undeliverable', final: true },
  UNDELIVERABLE: { state: 'undeliverable', final: true },
  FAILED: { state: 'undeliverable', final: true },
  UNKNOWN: { state: 'undeliverable', final: true },
  REJECTD: { state: 'rejected', final: true },
  REJECTED: { state: 'rejected', final: true },
  // Kannel's reading: ACCEPTD is "accepted on behalf of the subscriber", i.e. buffered, not final.
  ACCEPTD: { state: 'enroute', final: false },
  ACCEPTED: { state: 'enroute', final: false },
  ENROUTE: { state: 'enroute', final: false },
  BUFFRED: { state: 'enroute', final: false },
  ACKED: { state: 'enroute', final: false },
  SCHEDULED: { state: 'enroute', final: false },
};

/** message_state TLV values (§5.2.28) → the `stat:` word for them. */
const MESSAGE_STATE: Record<number, string> = {
  0: 'SCHEDULED',
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
  9: 'UNDELIV', // SKIPPED (SMPP 5.0): never reached the handset
};

export function stateOfStat(stat: string): { state: ReceiptState; final: boolean } {
  return STAT[stat.toUpperCase()] ?? { state: 'enroute', final: false };
}

/** The `stat:` word for a message_state TLV value. */
export function statOfMessageState(messageState: number): string {
  return MESSAGE_STATE[messageState] ?? 'UNKNOWN';
}

/** A receipt's text opens with `id:` and a token (Appendix B), whatever else it leaves out. */
const OPENS_WITH_ID = /^\s*id\s*:\s*\S/i;

/**
 * Is this deliver_sm a receipt rather than an MO? The esm_class message type says so; some SMSCs
 * leave it 0, so a receipted_message_id TLV also counts, and so does a text in the receipt format:
 * opening with `id:` and with a `stat:` word of the table. A subscriber's "Order id: 5512 stat:
 * where is it?" is neither, and must reach the app (it was once taken as a receipt and lost).
 * A text with a UDH is a part of a long message: receipts are never concatenated.
 */
export function isReceipt(fields: Pick<ReceiptFields, 'esmClass' | 'text' | 'receiptedMessageId'>): boolean {
  const type = fields.esmClass & ESM_CLASS.TYPE_MASK;
  if (type === ESM_CLASS.TYPE_RECEIPT || type === ESM_CLASS.TYPE_INTERMEDIATE) return true;
  if (type !== 0) return false; // SME acknowledgements and the like: not ours to read
  if (fields.receiptedMessageId !== undefined && fields.receiptedMessageId !== '') return true;
  if ((fields.esmClass & ESM_CLASS.UDHI) !== 0 || !OPENS_WITH_ID.test(fields.text)) return false;
  const stat = parseReceiptText(fields.text).get('stat');
  return stat !== undefined && Object.hasOwn(STAT, stat.toUpperCase());
}

/** Parses a receipt; null when it names no message id or no state at all. */
export function parseReceipt(fields: ReceiptFields): ParsedReceipt | null {
  const text = parseReceiptText(fields.text);
  const ids: string[] = [];
  const tlvId = fields.receiptedMessageId?.trim();
  if (tlvId) ids.push(tlvId);
  const textId = text.get('id');
  if (textId && textId !== tlvId) ids.push(textId);
  if (ids.length === 0) return null;

  const stat = fields.messageState !== undefined ? statOfMessageState(fields.messageState) : text.get('stat')?.toUpperCase();
  if (stat === undefined || stat === '') return null;
  const { state, final } = stateOfStat(stat);

  let errorCode = text.get('err');
  if ((errorCode === undefined || /^0+$/.test(errorCode)) && fields.networkErrorCode && fields.networkErrorCode.length >= 3) {
    const nec = fields.networkErrorCode;
    const code = ((nec[1] ?? 0) << 8) | (nec[2] ?? 0);
    if (code !== 0) errorCode = String(code);
  }
  return {
    ids,
    state,
    stat,
    final,
    errorCode: errorCode === undefined || errorCode === '' ? undefined : errorCode,
    submitDate: text.get('submitdate'),
    doneDate: text.get('donedate'),
    text: text.get('text'),
  };
}

/** YYMMDDhhmm in UTC, as receipts carry dates. */
export function receiptDate(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}

/** Writes the Appendix B text, as our simulator SMSC sends it. */
export function formatReceiptText(r: {
  id: string;
  submitted: number;
  delivered: number;
  submitAt: number;
  doneAt: number;
  stat: string;
  err: string;
  text: string;
}): string {
  const three = (n: number) => String(n).padStart(3, '0');
  return (
    `id:${r.id} sub:${three(r.submitted)} dlvrd:${three(r.delivered)} ` +
    `submit date:${receiptDate(r.submitAt)} done date:${receiptDate(r.doneAt)} stat:${r.stat} err:${r.err} text:${r.text.slice(0, 20)}`
  );
}
