import { randomInt } from 'node:crypto';

/** Message ids count milliseconds from here (10 hex digits last 34 years, then wrap). */
const EPOCH_MS = Date.UTC(2024, 0, 1);
const TIME_SPAN = 2 ** 40;
const SEQ_SPAN = 2 ** 24;

let lastMs = -1;
let seq = 0;

/**
 * A message id as AT&T issued them: `SMS` + 16 lowercase hex digits, e.g. `SMS0c1f6a2b3d4e5f60`.
 * Ours are 10 hex digits of milliseconds, then a 6-digit sequence that starts anew at a random
 * point each millisecond. Ordered by time, so the indexes keyed by message id (the message, its
 * recipients, their jobs) grow at their right edge: a batch of accepts dirties a few index pages
 * instead of one random page per index per message. Unique within a process; two processes on one
 * database may, rarely, draw the same id in the same millisecond, and the accept then retries
 * with another (see SendService).
 */
export function newMessageId(now: number = Date.now()): string {
  if (now === lastMs) seq = (seq + 1) % SEQ_SPAN;
  else {
    lastMs = now;
    seq = randomInt(SEQ_SPAN);
  }
  const time = (((now - EPOCH_MS) % TIME_SPAN) + TIME_SPAN) % TIME_SPAN;
  return `SMS${time.toString(16).padStart(10, '0')}${seq.toString(16).padStart(6, '0')}`;
}

export const MESSAGE_ID = /^SMS[0-9a-f]{16}$/;

/** The per-destination id the AT&T status shows (`msg0`, `msg1`, …) for a recipient's position. */
export function recipientLabel(seq: number): string {
  return `msg${seq}`;
}
