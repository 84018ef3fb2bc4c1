import { randomInt } from 'node:crypto';

/** Message ids count milliseconds from here (10 hex digits last 34 years, then wrap). */
const EPOCH_MS = Date.UTC(2024, 0, 1);
const TIME_SPAN = 2 ** 40;
const SEQ_SPAN = 2 ** 24;

let lastMs = -1;
let seq = 0;

/**
 * 16 lowercase hex digits that sort in the order this process drew them: 10 of milliseconds, then
 * a 6-digit sequence that starts anew at a random point of its lower half each millisecond (so
 * the 8M ids one millisecond could draw never wrap). Ordered by time, so the indexes keyed by
 * such ids grow at their right edge (a batch of inserts dirties a few index pages instead of one
 * random page each), and rows of one millisecond that are read in id order come in the order they
 * were made. Unique within a process; two processes on one database may, rarely, draw the same
 * digits in the same millisecond.
 */
export function timeOrderedHex(now: number = Date.now()): string {
  if (now === lastMs) seq += 1;
  else {
    lastMs = now;
    seq = randomInt(SEQ_SPAN / 2);
  }
  const time = (((now - EPOCH_MS) % TIME_SPAN) + TIME_SPAN) % TIME_SPAN;
  return `${time.toString(16).padStart(10, '0')}${(seq % SEQ_SPAN).toString(16).padStart(6, '0')}`;
}

/**
 * A message id as AT&T issued them: `SMS` + 16 lowercase hex digits, e.g. `SMS0c1f6a2b3d4e5f60`
 * (timeOrderedHex). Two processes on one database may, rarely, draw the same id in the same
 * millisecond, and the accept then retries with another (see SendService).
 */
export function newMessageId(now: number = Date.now()): string {
  return `SMS${timeOrderedHex(now)}`;
}

export const MESSAGE_ID = /^SMS[0-9a-f]{16}$/;

/** The per-destination id the AT&T status shows (`msg0`, `msg1`, …) for a recipient's position. */
export function recipientLabel(seq: number): string {
  return `msg${seq}`;
}
