/**
 * Send SMS request bodies of every client generation, mapped onto one shape. The representation
 * layer has already turned JSON, lenient JSON, XML and form bodies into objects; here the keys are
 * looked up case-insensitively and the optional wrappers peeled off (contract §3, §8).
 */
import { ApiError } from '../../errors.js';
import { field } from '../representation.js';

/** What an AT&T RESTful (v2 or v3) Send SMS carries. */
export interface AttSendBody {
  readonly address: unknown;
  readonly message: unknown;
  readonly notifyDeliveryStatus: boolean;
}

/** What a OneAPI Send SMS carries. */
export interface OneApiSendBody {
  readonly address: unknown;
  readonly message: unknown;
  /** As the body spelled it, when it named one. */
  readonly senderAddress: string | undefined;
  readonly clientCorrelator: string | null;
  readonly notifyUrl: string | null;
  readonly callbackData: string | null;
  readonly senderName: string | null;
}

/**
 * The longest idempotency key taken, an `Idempotency-Key` header or a OneAPI `clientCorrelator`:
 * each is stored with its message or subscription and indexed, so one cannot grow the index
 * without bound (only the body limit held a correlator, at 64 KB).
 */
export const IDEMPOTENCY_KEY_MAX = 255;

/** A OneAPI `clientCorrelator` (of a send or a subscription); over IDEMPOTENCY_KEY_MAX characters → 400 SVC0002. */
export function checkCorrelator(correlator: string | null): string | null {
  if (correlator !== null && correlator.length > IDEMPOTENCY_KEY_MAX) throw new ApiError('SVC0002', ['clientCorrelator']);
  return correlator;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** One scalar from a value that may be a repeated form key or a one-element XML list. */
function scalar(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

/** An optional text field: absent or empty → null; numbers are taken as their digits. */
function optionalText(v: unknown, name: string, invalid: (name: string) => ApiError): string | null {
  const s = scalar(v);
  if (s === undefined || s === null || s === '') return null;
  if (typeof s === 'string') return s;
  if (typeof s === 'number') return String(s);
  throw invalid(name);
}

/**
 * `notifyDeliveryStatus`: a JSON boolean, or the strings "true"/"false" in any case (XML and form
 * bodies can only send strings). Absent or empty means false.
 */
export function parseNotifyFlag(v: unknown): boolean {
  const s = scalar(v);
  if (s === undefined || s === null || s === '') return false;
  if (typeof s === 'boolean') return s;
  if (typeof s === 'string') {
    const lower = s.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw new ApiError('SVC0003', ['notifyDeliveryStatus', 'true,false']);
}

/**
 * AT&T v3 `{"outboundSMSRequest":{"address","message","notifyDeliveryStatus"}}`, v2
 * `{"Address","Message"}` with an optional `outboundSMSRequest`/`outBoundSMSRequest` wrapper, and the
 * flat form bodies of both. A body with none of the fields is the wrong wrapper: SVC0002.
 */
export function parseAttSendBody(body: unknown): AttSendBody {
  const wrapped = field(body, 'outboundSMSRequest');
  const inner = wrapped !== undefined ? wrapped : body;
  if (!isObject(inner)) throw new ApiError('SVC0002', ['outboundSMSRequest']);
  const address = field(inner, 'address');
  const message = field(inner, 'message');
  if (address === undefined && message === undefined) throw new ApiError('SVC0002', ['outboundSMSRequest']);
  return { address, message: scalar(message), notifyDeliveryStatus: parseNotifyFlag(field(inner, 'notifyDeliveryStatus')) };
}

/**
 * OneAPI `{"outboundSMSMessageRequest":{"address","senderAddress","outboundSMSTextMessage":{"message"},
 * "clientCorrelator","receiptRequest":{"notifyURL","callbackData"},"senderName"}}`, its XML twin, and
 * the GSMA v1 flat form `senderAddress=…&address=…&message=…&notifyURL=…&callbackData=…`.
 */
export function parseOneApiSendBody(body: unknown): OneApiSendBody {
  const wrapped = field(body, 'outboundSMSMessageRequest');
  const inner = wrapped !== undefined ? wrapped : body;
  if (!isObject(inner)) throw new ApiError('SVC0002', ['outboundSMSMessageRequest']);
  const invalid = (name: string) => new ApiError('SVC0002', [name]);
  const textMessage = field(inner, 'outboundSMSTextMessage');
  const message = isObject(textMessage) ? field(textMessage, 'message') : field(inner, 'message');
  const address = field(inner, 'address');
  if (address === undefined && message === undefined) throw new ApiError('SVC0002', ['outboundSMSMessageRequest']);
  // Nothing is charged: a send that asks for a charge is refused (contract §14), not sent for free
  // while the app takes the user for charged. An empty one asks for nothing.
  if (carries(field(inner, 'charging'))) throw new ApiError('POL0008', []);
  const receipt = field(inner, 'receiptRequest');
  // A receiptRequest that is not an object asked for receipts nowhere: refused, not ignored.
  if (receipt !== undefined && receipt !== null && receipt !== '' && !isObject(receipt)) throw invalid('receiptRequest');
  const from = isObject(receipt) ? receipt : inner;
  const notifyUrl = optionalText(field(from, 'notifyURL'), 'notifyURL', invalid);
  if (notifyUrl !== null && !isHttpUrl(notifyUrl)) throw invalid('notifyURL');
  // Both are optional (contract §8): callbackData without a notifyURL has nowhere to be echoed, so
  // the send asks for no receipt and the callbackData is dropped.
  const callbackData = notifyUrl === null ? null : optionalText(field(from, 'callbackData'), 'callbackData', invalid);
  const senderAddress = optionalText(field(inner, 'senderAddress'), 'senderAddress', invalid);
  return {
    address,
    message: scalar(message),
    senderAddress: senderAddress ?? undefined,
    clientCorrelator: checkCorrelator(optionalText(field(inner, 'clientCorrelator'), 'clientCorrelator', invalid)),
    notifyUrl,
    callbackData,
    senderName: optionalText(field(inner, 'senderName'), 'senderName', invalid),
  };
}

/** A value other than absent, null, empty text or an empty object. */
function carries(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  return !isObject(v) || Object.keys(v).length > 0;
}

function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
