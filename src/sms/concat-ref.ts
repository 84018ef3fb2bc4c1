/**
 * Concatenation reference numbers per destination (TS 23.040 §9.2.3.24.1): the parts of one
 * message share a reference, and two long messages in flight to the same handset must not, or the
 * handset mixes their parts. A counter per destination, starting at a random value; the map forgets
 * the least recently used destinations beyond `capacity`, which only costs a fresh random start.
 */
export class ConcatRefs {
  readonly #next = new Map<string, number>();
  readonly #capacity: number;
  readonly #modulo: number;

  constructor(options: { capacity?: number; refBits?: 8 | 16 } = {}) {
    this.#capacity = options.capacity ?? 10_000;
    this.#modulo = (options.refBits ?? 8) === 8 ? 0x100 : 0x10000;
  }

  /** The reference for the next multi-part message to `destination`. */
  next(destination: string): number {
    const ref = this.#next.get(destination) ?? Math.floor(Math.random() * this.#modulo);
    this.#next.delete(destination);
    this.#next.set(destination, (ref + 1) % this.#modulo);
    if (this.#next.size > this.#capacity) {
      const oldest = this.#next.keys().next();
      if (oldest.done !== true) this.#next.delete(oldest.value);
    }
    return ref;
  }
}
