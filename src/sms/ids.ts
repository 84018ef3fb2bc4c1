import { timeOrderedHexSource } from '../ordered-ids.js';

const messageHex = timeOrderedHexSource();

/**
 * A message id as AT&T issued them: `SMS` + 16 lowercase hex digits, e.g. `SMS0c1f6a2b3d4e5f60`
 * (timeOrderedHexSource). Two processes on one database may, rarely, draw the same id in the same
 * millisecond, and the accept then retries with another (see SendService).
 */
export function newMessageId(now: number = Date.now()): string {
  return `SMS${messageHex(now)}`;
}

export const MESSAGE_ID = /^SMS[0-9a-f]{16}$/;

/** The per-destination id the AT&T status shows (`msg0`, `msg1`, …) for a recipient's position. */
export function recipientLabel(seq: number): string {
  return `msg${seq}`;
}
