/**
 * Splitting a message into SMS segments, and the concatenation User Data Header (3GPP TS 23.040
 * §9.2.3.24.1 and .8) that tells the handset how to join them again.
 */
import { type DefaultAlphabet, type Encoding, dataCodingOf, detectEncoding, encodeText, gsm7Cost, canEncode } from './encoding.js';

/**
 * The API's message length limit (contract §3.1: "4096 one-byte characters"), counted in JS string
 * length, i.e. UTF-16 code units. For GSM and Latin-1 text that is exactly the character count; for
 * UCS-2 text it is the number of 16-bit units the network carries (an emoji counts 2), which keeps
 * the bound on the payload and not on how a font draws it.
 */
export const MAX_MESSAGE_CHARS = 4096;

/** The 1-octet "total" field of the concatenation IE caps a message at 255 parts. */
export const MAX_SEGMENTS = 255;

export type RefBits = 8 | 16;

/**
 * Units per segment: septets (GSM7), octets (LATIN1), UTF-16 code units (UCS2). A single segment has
 * 140 octets of user data; a part of a longer message loses 6 octets to the 8-bit-reference UDH (7
 * with a 16-bit reference), rounded down to whole units: 160/153/152, 140/134/133, 70/67/66.
 */
const LIMITS: Record<Encoding, { single: number; multi8: number; multi16: number }> = {
  GSM7: { single: 160, multi8: 153, multi16: 152 },
  LATIN1: { single: 140, multi8: 134, multi16: 133 },
  UCS2: { single: 70, multi8: 67, multi16: 66 },
};

export function segmentLimits(encoding: Encoding, refBits: RefBits = 8): { single: number; multi: number } {
  const l = LIMITS[encoding];
  return { single: l.single, multi: refBits === 8 ? l.multi8 : l.multi16 };
}

export interface Segment {
  /** This part's slice of the message text. */
  text: string;
  /** The part's encoded payload, without UDH. */
  bytes: Buffer;
  /** Size in the encoding's units (septets, octets, UTF-16 units). */
  units: number;
}

export interface SegmentedMessage {
  encoding: Encoding;
  dataCoding: number;
  /** Total units of the whole message. */
  units: number;
  segments: Segment[];
}

export interface SegmentOptions {
  /** Force an encoding (e.g. UCS2 for a carrier without Latin-1); default: detectEncoding(text, alphabet). */
  encoding?: Encoding;
  /**
   * What the SMSC takes `data_coding` 0 as (SWITCHBOARD_SMPP_DEFAULT_ALPHABET); default GSM 03.38.
   * GSM7 is chosen only for text it carries, and its parts' bytes are written in it; septet costs
   * and limits stay GSM's.
   */
  alphabet?: DefaultAlphabet;
  /** Reference size of the concatenation UDH the parts will carry; default 8. */
  refBits?: RefBits;
}

/**
 * Cost in encoding units of the character starting at index i. In UCS2 that is also its length in
 * UTF-16 units (a surrogate pair is one character of 2 units); in GSM7 and LATIN1 every character
 * is one UTF-16 unit long.
 */
function charCost(text: string, i: number, encoding: Encoding): number {
  if (encoding === 'GSM7') return gsm7Cost(text.charCodeAt(i));
  if (encoding === 'LATIN1') return 1;
  const hi = text.charCodeAt(i);
  // A surrogate pair must stay in one part; a lone surrogate is sent as it is.
  if (hi >= 0xd800 && hi <= 0xdbff) {
    const lo = text.charCodeAt(i + 1); // NaN past the end
    if (lo >= 0xdc00 && lo <= 0xdfff) return 2;
  }
  return 1;
}

function totalUnits(text: string, encoding: Encoding): number {
  if (encoding !== 'GSM7') return text.length;
  let units = 0;
  for (let i = 0; i < text.length; i++) units += gsm7Cost(text.charCodeAt(i));
  return units;
}

type Slice = [start: number, end: number, units: number];

/**
 * Greedy split into [start, end) slices of at most `multi` units each, never inside an escape pair
 * (GSM7) or a surrogate pair (UCS2): a character that does not fit starts the next part.
 */
function splitPoints(text: string, encoding: Encoding, multi: number): Slice[] {
  const parts: Slice[] = [];
  let start = 0;
  let used = 0;
  for (let i = 0; i < text.length; ) {
    const cost = charCost(text, i, encoding);
    if (used + cost > multi) {
      parts.push([start, i, used]);
      start = i;
      used = 0;
    }
    used += cost;
    i += encoding === 'UCS2' ? cost : 1;
  }
  parts.push([start, text.length, used]);
  return parts;
}

function resolveEncoding(text: string, forced: Encoding | undefined, alphabet: DefaultAlphabet | undefined): Encoding {
  if (forced === undefined) return detectEncoding(text, alphabet);
  if (!canEncode(text, forced, alphabet)) throw new RangeError(`text cannot be encoded as ${forced}${alphabet === undefined || alphabet === 'gsm' ? '' : ` in ${alphabet}`}`);
  return forced;
}

/**
 * Split a message into parts with their encoded payloads. An empty text is one empty part.
 * Throws RangeError when a forced encoding cannot carry the text or the message needs more than 255 parts.
 *
 * @example segmentText('x'.repeat(161)).segments.map((s) => s.units) // [153, 8]
 */
export function segmentText(text: string, options: SegmentOptions = {}): SegmentedMessage {
  const encoding = resolveEncoding(text, options.encoding, options.alphabet);
  const { single, multi } = segmentLimits(encoding, options.refBits);
  const units = totalUnits(text, encoding);
  const slices: Slice[] = units <= single ? [[0, text.length, units]] : splitPoints(text, encoding, multi);
  if (slices.length > MAX_SEGMENTS) {
    throw new RangeError(`message needs ${slices.length} parts; at most ${MAX_SEGMENTS} fit a concatenation header`);
  }
  const segments = slices.map(([start, end, n]) => {
    const part = text.slice(start, end);
    return { text: part, bytes: encodeText(part, encoding, options.alphabet), units: n };
  });
  return { encoding, dataCoding: dataCodingOf(encoding), units, segments };
}

export interface MessageDescription {
  encoding: Encoding;
  segments: number;
  /** Total size in the encoding's units: septets (GSM7), octets (LATIN1), UTF-16 units (UCS2). */
  units: number;
}

/** Encoding, part count and size without encoding anything: cheap enough for every API request. */
export function describe(text: string, options: SegmentOptions = {}): MessageDescription {
  const encoding = resolveEncoding(text, options.encoding, options.alphabet);
  const { single, multi } = segmentLimits(encoding, options.refBits);
  const units = totalUnits(text, encoding);
  const segments = units <= single ? 1 : splitPoints(text, encoding, multi).length;
  return { encoding, segments, units };
}

export function countSegments(text: string, options: SegmentOptions = {}): number {
  return describe(text, options).segments;
}

/*
 * Concatenation UDH, as the first octets of each part's user data (TS 23.040 §9.2.3.24):
 *
 *   8-bit reference (IEI 0x00), 6 octets:
 *     05        UDHL: header length after this octet
 *     00 03     IEI "concatenated short messages, 8-bit reference", IE data length 3
 *     rr        reference, same in every part of one message
 *     tt        total number of parts (1–255)
 *     ss        this part's sequence number (1–tt)
 *
 *   16-bit reference (IEI 0x08), 7 octets:
 *     06  08 04  rH rL  tt  ss
 *
 * SMPP: the part goes in short_message with esm_class bit 0x40 (UDHI) set.
 */
export function buildConcatUdh(ref: number, total: number, seq: number, refBits: RefBits = 8): Buffer {
  const maxRef = refBits === 8 ? 0xff : 0xffff;
  if (!Number.isInteger(ref) || ref < 0 || ref > maxRef) {
    throw new RangeError(`ref ${ref} out of range for a ${refBits}-bit reference`);
  }
  if (!Number.isInteger(total) || total < 1 || total > MAX_SEGMENTS) {
    throw new RangeError(`total ${total} out of range 1..${MAX_SEGMENTS}`);
  }
  if (!Number.isInteger(seq) || seq < 1 || seq > total) throw new RangeError(`seq ${seq} out of range 1..${total}`);
  return refBits === 8
    ? Buffer.from([0x05, 0x00, 0x03, ref, total, seq])
    : Buffer.from([0x06, 0x08, 0x04, ref >> 8, ref & 0xff, total, seq]);
}

/**
 * The user data for each part: UDH + payload when there are several parts, the bare payload for a
 * single part (which then goes out without UDHI).
 */
export function buildUserData(message: SegmentedMessage, ref: number, refBits: RefBits = 8): Buffer[] {
  const total = message.segments.length;
  if (total === 1) return message.segments.map((s) => s.bytes);
  return message.segments.map((s, i) => Buffer.concat([buildConcatUdh(ref, total, i + 1, refBits), s.bytes]));
}

export interface ConcatInfo {
  ref: number;
  refBits: RefBits;
  total: number;
  seq: number;
  /** Octets the UDH takes including the UDHL octet; the text starts at this offset. */
  headerLength: number;
}

/**
 * Octets taken by the UDH at the start of `userData` (UDHL + 1), or null when the header is
 * malformed (its length runs past the data). Use when UDHI is set, whatever IEs the header holds.
 */
export function udhLength(userData: Uint8Array): number | null {
  const udhl = userData[0];
  if (udhl === undefined || udhl + 1 > userData.length) return null;
  return udhl + 1;
}

/**
 * Find the concatenation IE in a UDH (user data starting with UDHL; call only when UDHI is set).
 * Returns null when the header is malformed or has no usable concatenation IE. Per TS 23.040 an IE
 * with total 0 or seq 0 / seq > total is ignored; when both IEs appear the last one wins.
 */
export function parseUdh(userData: Uint8Array): ConcatInfo | null {
  const headerLength = udhLength(userData);
  if (headerLength === null) return null;
  let found: ConcatInfo | null = null;
  for (let i = 1; i < headerLength; ) {
    const iei = userData[i];
    const len = userData[i + 1];
    if (iei === undefined || len === undefined || i + 2 + len > headerLength) return null;
    const d = userData.subarray(i + 2, i + 2 + len);
    let candidate: ConcatInfo | null = null;
    if (iei === 0x00 && len === 3) {
      candidate = { ref: d[0] ?? 0, refBits: 8, total: d[1] ?? 0, seq: d[2] ?? 0, headerLength };
    } else if (iei === 0x08 && len === 4) {
      const ref = ((d[0] ?? 0) << 8) | (d[1] ?? 0);
      candidate = { ref, refBits: 16, total: d[2] ?? 0, seq: d[3] ?? 0, headerLength };
    }
    if (candidate && candidate.total > 0 && candidate.seq > 0 && candidate.seq <= candidate.total) found = candidate;
    i += 2 + len;
  }
  return found;
}
