/**
 * Notification bodies in the original API's shapes (contract §7, §11). Pure functions: the same
 * message always gives the same bytes, so a retry carries exactly what the first attempt did.
 */
import { asciiJson, JSON_TYPE, toXml, XML_TYPE } from '../http/representation.js';
import { toTelUri } from '../sms/address.js';
import type { FinalStatus } from '../store/repos/messages.js';

/** A whole MO message as notifications show it. */
export interface MoView {
  readonly id: string;
  /** Sender, E.164. */
  readonly from: string;
  /** Short code, digits only. */
  readonly to: string;
  readonly text: string;
  readonly receivedAt: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `MM-dd-yyyyTHH:mm:ss` in UTC, as in AT&T's Receive SMS example (`04-15-2011T12:00:00`). */
export function attDateTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCFullYear(), 4)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** ISO 8601 in UTC to the second (`2011-04-15T12:00:00Z`), as in the OneAPI samples. */
export function oneapiDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * AT&T Receive SMS (§7.1):
 * `{"DateTime":"04-15-2011T12:00:00","MessageId":"MO…","Message":"Hello","SenderAddress":"tel:+12071111111","DestinationAddress":"22627001"}`
 */
export function attMoCallback(mo: MoView): Record<string, unknown> {
  return {
    DateTime: attDateTime(mo.receivedAt),
    MessageId: mo.id,
    Message: mo.text,
    SenderAddress: toTelUri(mo.from),
    DestinationAddress: mo.to,
  };
}

/**
 * The sender and text of an MO message from its attMoCallback body (a dead letter's, to put it in
 * the inbox); undefined for any other body.
 */
export function moOfAttCallback(body: string): { readonly from: string; readonly text: string } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { SenderAddress: sender, Message: text } = v as Record<string, unknown>;
  if (typeof sender !== 'string' || !sender.startsWith('tel:') || typeof text !== 'string') return undefined;
  return { from: sender.slice('tel:'.length), text };
}

/** One `inboundSMSMessage` of OneAPI (§10, §11); `resourceURL` only where the message has one. */
export function oneapiInboundMessage(mo: MoView, resourceUrl?: string): Record<string, unknown> {
  return {
    dateTime: oneapiDateTime(mo.receivedAt),
    destinationAddress: mo.to,
    messageId: mo.id,
    message: mo.text,
    ...(resourceUrl === undefined ? {} : { resourceURL: resourceUrl }),
    senderAddress: toTelUri(mo.from),
  };
}

/** OneAPI inbound notification (§11): `{"inboundSMSMessageNotification":{"callbackData":…,"inboundSMSMessage":{…}}}`. */
export function oneapiInboundNotification(mo: MoView, callbackData: string | null): Record<string, unknown> {
  return {
    inboundSMSMessageNotification: {
      ...(callbackData === null ? {} : { callbackData }),
      inboundSMSMessage: oneapiInboundMessage(mo),
    },
  };
}

/**
 * AT&T delivery status notification (§7.2), one per recipient:
 * `{"deliveryInfoNotification":{"messageId":"SMS…","deliveryInfo":{"address":"tel:+1…","deliveryStatus":"DeliveredToTerminal"}}}`
 */
export function attDeliveryNotification(messageId: string, address: string, status: FinalStatus): Record<string, unknown> {
  return { deliveryInfoNotification: { messageId, deliveryInfo: { address, deliveryStatus: status } } };
}

/**
 * OneAPI delivery notification (§11): carries `callbackData`; `messageId` is added too (the
 * contract's recommendation: harmless to OneAPI clients, useful to everyone else).
 */
export function oneapiDeliveryNotification(
  messageId: string,
  address: string,
  status: FinalStatus,
  callbackData: string | null,
): Record<string, unknown> {
  return {
    deliveryInfoNotification: {
      ...(callbackData === null ? {} : { callbackData }),
      messageId,
      deliveryInfo: { address, deliveryStatus: status },
    },
  };
}

/** The bytes and content type a body goes out as. */
export function serialize(body: Record<string, unknown>, format: 'JSON' | 'XML'): { contentType: string; text: string } {
  if (format === 'XML') return { contentType: XML_TYPE, text: toXml(body) };
  return { contentType: JSON_TYPE, text: asciiJson(body) };
}
