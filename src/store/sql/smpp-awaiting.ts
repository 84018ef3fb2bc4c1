import type { SmppPartMatch } from '../repos/smpp.js';

/** Most single-part messages remembered at once; the oldest is forgotten first. */
const AWAITING_MAX = 8_192;

/**
 * Single-part SMPP messages this process recorded and whose receipt has not come yet, by the
 * exact key of their SMSC id: the receipt finds its part here instead of reading the store (on
 * PostgreSQL a round trip before the deliver_sm can be answered). The store stays the truth: a
 * key not here (another process's submit, a restart, a part resent, too many waiting) is looked
 * up there, and a part found here may be stale only in ways its settle's guarded update absorbs
 * (another process made it final: the settle changes nothing, the core ignores the repeat).
 */
export class AwaitingReceipts {
  readonly #byKey = new Map<string, { readonly part: SmppPartMatch; readonly openedAt: number }>();
  readonly #keyOf = new Map<string, string>();

  /**
   * A part whose record is durable, with when its message record was opened; replaces what its
   * recipient had (a resend gets a new id).
   */
  remember(part: SmppPartMatch, openedAt: number): void {
    this.forget(part.recipientId);
    if (this.#byKey.size >= AWAITING_MAX) {
      const oldest = this.#byKey.values().next().value;
      if (oldest !== undefined) this.forget(oldest.part.recipientId);
    }
    this.#byKey.set(part.idKey, { part, openedAt });
    this.#keyOf.set(part.recipientId, part.idKey);
  }

  find(key: string): SmppPartMatch | undefined {
    return this.#byKey.get(key)?.part;
  }

  /** Its receipt was applied (or its records are gone): the store answers from now on. */
  forget(recipientId: string): void {
    const key = this.#keyOf.get(recipientId);
    if (key === undefined) return;
    this.#keyOf.delete(recipientId);
    if (this.#byKey.get(key)?.part.recipientId === recipientId) this.#byKey.delete(key);
  }

  /** Forgets the messages opened before `before` (their open records are being pruned). */
  forgetOpenedBefore(before: number): void {
    for (const { part, openedAt } of [...this.#byKey.values()]) if (openedAt < before) this.forget(part.recipientId);
  }
}
