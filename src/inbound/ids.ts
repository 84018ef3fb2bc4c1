import { randomUUID } from 'node:crypto';
import { timeOrderedHexSource } from '../ordered-ids.js';

const moHex = timeOrderedHexSource();

/**
 * An MO message id: `MO` + 24 lowercase hex digits (shown as `MessageId` / `messageId`). The first
 * 16 sort in the order the MOs came (timeOrderedHexSource), so an inbox hands out the messages of one
 * millisecond in id order; the last 8 are random (from randomUUID's pooled buffer, as the other
 * per-message ids), so two instances on one database that draw the same 16 in the same
 * millisecond still make different ids.
 */
export function newMoId(now: number = Date.now()): string {
  return `MO${moHex(now)}${randomUUID().slice(0, 8)}`;
}
