import { createHmac } from 'node:crypto';

/*
 * Signed webhooks (beyond the original API; apps that ignore the headers are unaffected):
 *
 *   X-Switchboard-Event-Id:   <id>            the same on every attempt of one notification
 *   X-Switchboard-Timestamp:  1713182400      Unix seconds of this attempt
 *   X-Switchboard-Signature:  <64 hex>        lower-case hex of
 *                                             HMAC-SHA256(key = app signing secret (UTF-8),
 *                                                         message = timestamp + "." + raw body bytes)
 *
 * The receiver recomputes the HMAC over the raw body it got, compares in constant time and
 * rejects timestamps too far from its clock (replays). README "Signed webhooks" has the snippet.
 */
export const EVENT_ID_HEADER = 'x-switchboard-event-id';
export const TIMESTAMP_HEADER = 'x-switchboard-timestamp';
export const SIGNATURE_HEADER = 'x-switchboard-signature';

/** Lower-case hex HMAC-SHA256 of `${timestamp}.${body}` keyed with the app's signing secret. */
export function signPayload(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The three Switchboard headers for one attempt at `nowMs`. */
export function signatureHeaders(secret: string, eventId: string, body: string, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [EVENT_ID_HEADER]: eventId,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signPayload(secret, timestamp, body),
  };
}
