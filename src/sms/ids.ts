import { randomBytes } from 'node:crypto';

/** A message id as AT&T issued them: `SMS` + 16 lowercase hex digits, e.g. `SMSc04091ed284f5684`. */
export function newMessageId(): string {
  return `SMS${randomBytes(8).toString('hex')}`;
}

export const MESSAGE_ID = /^SMS[0-9a-f]{16}$/;

/** The per-destination id the AT&T status shows (`msg0`, `msg1`, …) for a recipient's position. */
export function recipientLabel(seq: number): string {
  return `msg${seq}`;
}
