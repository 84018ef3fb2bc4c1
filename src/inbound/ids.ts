import { timeOrderedHex } from '../sms/ids.js';

/**
 * An MO message id: `MO` + 16 lowercase hex digits (shown as `MessageId` / `messageId`), in the
 * order the MOs came (timeOrderedHex): an inbox hands out messages of one millisecond in id order.
 */
export function newMoId(now: number = Date.now()): string {
  return `MO${timeOrderedHex(now)}`;
}
