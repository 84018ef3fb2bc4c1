import { decodeText, textCodingOf } from '../sms/encoding.js';
import { moText } from '../sms/storable-text.js';
import type { MoPartRecord } from '../store/repos/inbox.js';

/** Concatenation limits of TS 23.040: 1–255 parts, numbered from 1. */
const MAX_PARTS = 255;

/** Why a part cannot be taken, or null when it can. */
export function partProblem(part: { total: number; seq: number; dataCoding: number; reference: number }): string | null {
  if (!Number.isInteger(part.total) || part.total < 1 || part.total > MAX_PARTS) return `total ${part.total} is not 1–${MAX_PARTS}`;
  if (!Number.isInteger(part.seq) || part.seq < 1 || part.seq > part.total) return `seq ${part.seq} is not 1–${part.total}`;
  if (!Number.isInteger(part.reference) || part.reference < 0 || part.reference > 0xffff) return `reference ${part.reference} is not 0–65535`;
  if (textCodingOf(part.dataCoding) === null) return `data_coding ${part.dataCoding} is not a text coding`;
  return null;
}

/**
 * The text of a part set, parts in `seq` order. Parts of one coding are joined before decoding,
 * so a character split across two parts (a UCS-2 surrogate pair, a GSM escape) comes out whole;
 * mixed codings (never seen, but possible) are decoded part by part. Made storable after the join
 * (moText), where a pair split across parts of two codings shows as broken.
 */
export function joinParts(parts: readonly MoPartRecord[]): string {
  const ordered = [...parts].sort((a, b) => a.seq - b.seq);
  const first = ordered[0];
  if (first === undefined) return '';
  if (ordered.every((p) => p.dataCoding === first.dataCoding)) {
    return moText(decodeText(Buffer.concat(ordered.map((p) => p.payload)), first.dataCoding));
  }
  return moText(ordered.map((p) => decodeText(p.payload, p.dataCoding)).join(''));
}
