/**
 * The window of one SMPP session: requests sent and not yet answered, keyed by sequence_number.
 * It bounds how many PDUs are in flight (and so how much we write ahead of the peer), times out
 * each one on its own, and settles every entry exactly once — by its response, its timeout, or the
 * connection closing (the codec itself never settles pending callbacks on close: dependencies.md
 * §3 defect 1).
 *
 * Control PDUs (enquire_link, unbind) are tracked with the same rules but do not take a slot: a
 * full window of submits must not stop the keep-alive that detects a dead peer.
 */
import { SmppError } from './errors.js';

interface Entry<T> {
  readonly command: string;
  readonly control: boolean;
  readonly openedAt: number;
  readonly resolve: (value: T) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

export interface OpenOptions {
  /** Command name, for error messages. */
  readonly command: string;
  /** Per-PDU response timeout; 0 = none. */
  readonly timeoutMs: number;
  readonly control?: boolean;
  /** Called after a timeout rejected the entry (the session counts them). */
  readonly onTimeout?: (sequence: number) => void;
}

export class Window<T> {
  readonly #size: number;
  readonly #entries = new Map<number, Entry<T>>();
  #slotsUsed = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be a positive integer, got ${size}`);
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  /** Slots taken by non-control requests. */
  get inUse(): number {
    return this.#slotsUsed;
  }

  /** Every open entry, control ones included. */
  get pending(): number {
    return this.#entries.size;
  }

  hasRoom(): boolean {
    return this.#slotsUsed < this.#size;
  }

  /**
   * Registers a request just written with `sequence`; the promise settles with its response, a
   * timeout or `failAll`. Throws when the window is full (callers check `hasRoom` first) or the
   * sequence is already open.
   */
  open(sequence: number, options: OpenOptions): Promise<T> {
    const control = options.control ?? false;
    if (!control && !this.hasRoom()) throw new RangeError(`window full (${this.#size} in flight)`);
    if (this.#entries.has(sequence)) throw new RangeError(`sequence ${sequence} is already in flight`);
    return new Promise<T>((resolve, reject) => {
      const timer =
        options.timeoutMs > 0
          ? setTimeout(() => {
              if (this.#take(sequence)) {
                reject(new SmppError('RESPONSE_TIMEOUT', `no ${options.command}_resp within ${options.timeoutMs} ms (sequence ${sequence})`));
                options.onTimeout?.(sequence);
              }
            }, options.timeoutMs)
          : undefined;
      this.#entries.set(sequence, { command: options.command, control, openedAt: Date.now(), resolve, reject, timer });
      if (!control) this.#slotsUsed++;
    });
  }

  /** Settles the entry with its response; false when nothing waits for it (late or unknown). */
  settle(sequence: number, value: T): boolean {
    const entry = this.#take(sequence);
    if (!entry) return false;
    entry.resolve(value);
    return true;
  }

  fail(sequence: number, err: Error): boolean {
    const entry = this.#take(sequence);
    if (!entry) return false;
    entry.reject(err);
    return true;
  }

  /** Rejects everything in flight (the connection is gone); returns how many were open. */
  failAll(err: Error): number {
    const sequences = [...this.#entries.keys()];
    for (const sequence of sequences) this.fail(sequence, err);
    return sequences.length;
  }

  /** Age in ms of the oldest open entry, 0 when empty. */
  oldestAgeMs(now = Date.now()): number {
    let oldest = now;
    for (const e of this.#entries.values()) oldest = Math.min(oldest, e.openedAt);
    return now - oldest;
  }

  #take(sequence: number): Entry<T> | undefined {
    const entry = this.#entries.get(sequence);
    if (!entry) return undefined;
    this.#entries.delete(sequence);
    if (entry.timer) clearTimeout(entry.timer);
    if (!entry.control) this.#slotsUsed--;
    return entry;
  }
}
