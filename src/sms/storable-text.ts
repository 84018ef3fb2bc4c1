/**
 * Text that every store keeps as it is. PostgreSQL refuses U+0000 in a text column, and a lone
 * UTF-16 surrogate in the JSON its batched inserts send; SQLite takes both. So that one input fares
 * the same on both stores, it is refused where a client or an operator typed it (400, see
 * src/http/storable-input.ts) and mended where the network sent it (moText): an MO refused would be
 * sent again by the SMSC for ever.
 */

/** U+0000, or a surrogate not in a pair: with the `u` flag a pair is one code point, not matched. */
const UNSTORABLE = /[\0\uD800-\uDFFF]/u;
const EVERY_UNSTORABLE = new RegExp(UNSTORABLE.source, 'gu');
const TRAILING_NULS = /\0+$/;

/** True when no store would refuse `text`. */
export function isStorable(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * An MO's decoded text made storable: trailing NULs dropped (an SMSC's C-string padding), any other
 * U+0000 and any lone surrogate (a UCS-2 handset's broken pair) replaced by U+FFFD, as the other
 * decoders show what they cannot read.
 */
export function moText(text: string): string {
  if (isStorable(text)) return text;
  return text.replace(TRAILING_NULS, '').replace(EVERY_UNSTORABLE, '\uFFFD');
}
