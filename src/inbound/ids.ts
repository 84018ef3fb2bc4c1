import { randomBytes } from 'node:crypto';

/** An MO message id: `MO` + 16 lowercase hex digits (shown as `MessageId` / `messageId`). */
export function newMoId(): string {
  return `MO${randomBytes(8).toString('hex')}`;
}
