/**
 * MO deliver_sm → the port's InboundMessage, or one InboundPart of a concatenated message (by UDH,
 * or by the sar_* TLVs some SMSCs use instead). Text is decoded here from the raw octets per
 * data_coding with our own decoders (src/sms/encoding.ts), never the codec's; parts stay raw
 * octets, decoded by inbound reassembly once the set is whole (a character may straddle parts).
 * data_coding 0 is read as the SMSC's default alphabet: one that takes it as ASCII or Latin-1 sends
 * `@` as 0x40, which GSM 03.38 would read as `¡`.
 */
import { toE164 } from '../../sms/address.js';
import { dataCodingMeant, decodeText, type DefaultAlphabet, textCodingOf } from '../../sms/encoding.js';
import { parseUdh, udhLength } from '../../sms/segment.js';
import type { InboundMessage, InboundPart } from '../connector.js';
import { type Address, type DeliverSm, ESM_CLASS } from './pdu.js';

export type Mo =
  | { readonly kind: 'whole'; readonly message: InboundMessage }
  | { readonly kind: 'part'; readonly part: InboundPart }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** The sender as E.164: international TON, or a NANP number in any spelling; else the digits with '+'. */
export function senderE164(source: Address): string {
  const digits = source.addr.replace(/^\+/, '');
  if (source.ton === 0x01) return `+${digits}`;
  return toE164(digits) ?? (/^\d+$/.test(digits) ? `+${digits}` : source.addr);
}

export function readMo(d: DeliverSm, receivedAt: number, alphabet: DefaultAlphabet = 'gsm'): Mo {
  const userData = d.messagePayload && d.messagePayload.length > 0 ? d.messagePayload : d.shortMessage;
  if (textCodingOf(d.dataCoding) === null) {
    return { kind: 'unreadable', reason: `data_coding 0x${d.dataCoding.toString(16).padStart(2, '0')} is not text` };
  }
  const dataCoding = dataCodingMeant(d.dataCoding, alphabet);
  const from = senderE164(d.source);
  const to = d.destination.addr.replace(/^\+/, '');
  const udhi = (d.esmClass & ESM_CLASS.UDHI) !== 0;
  let body: Uint8Array = userData;
  if (udhi) {
    const header = udhLength(userData);
    if (header === null) return { kind: 'unreadable', reason: 'UDHI set but the header runs past the data' };
    const concat = parseUdh(userData);
    body = userData.subarray(header);
    if (concat && concat.total > 1) {
      return {
        kind: 'part',
        part: { from, to, reference: concat.ref, total: concat.total, seq: concat.seq, payload: body, dataCoding, receivedAt },
      };
    }
  } else if (d.sar && d.sar.total > 1 && d.sar.seq >= 1 && d.sar.seq <= d.sar.total) {
    const { ref, total, seq } = d.sar;
    return { kind: 'part', part: { from, to, reference: ref, total, seq, payload: body, dataCoding, receivedAt } };
  }
  return { kind: 'whole', message: { from, to, text: decodeText(body, dataCoding), receivedAt } };
}
