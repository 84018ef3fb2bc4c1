import { decodeText, textCodingOf } from '../../sms/encoding.js';
import { parseUdh, udhLength } from '../../sms/segment.js';

export interface HandsetText {
  readonly text: string;
  /** How the handset shows the coding: GSM7, LATIN1, UCS2 (IA5 counts as GSM7). */
  readonly encoding: string;
  readonly segments: number;
}

/**
 * What a handset makes of the parts of one MT: each part's concatenation header (when UDHI is set)
 * gives its place, the header is cut off, and each part is decoded in the message's coding. Parts
 * without a usable header keep their arrival order.
 */
export function reassembleParts(parts: readonly Uint8Array[], udhi: boolean, dataCoding: number): HandsetText {
  const ordered = parts.map((part, index) => {
    if (!udhi) return { seq: index + 1, body: part };
    const header = udhLength(part) ?? 0;
    return { seq: parseUdh(part)?.seq ?? index + 1, body: part.subarray(header) };
  });
  ordered.sort((a, b) => a.seq - b.seq);
  const coding = textCodingOf(dataCoding);
  const text = ordered.map((p) => (coding === null ? Buffer.from(p.body).toString('hex') : decodeText(p.body, dataCoding))).join('');
  const encoding = coding === null ? 'BINARY' : coding === 'IA5' ? 'GSM7' : coding;
  return { text, encoding, segments: parts.length };
}
