import { isIPv6 } from 'node:net';
import type { Clock } from '../clock.js';

const WINDOW_MS = 60_000;
/** Addresses remembered at most; past that the oldest windows are forgotten first. */
const MAX_ADDRESSES = 10_000;

interface Window {
  readonly start: number;
  count: number;
}

/**
 * Failed credential checks counted per client address, in fixed one-minute windows: once an
 * address has failed `limitPerMinute` times, it is refused without a check until its window
 * ends. Every failed app-secret check costs an scrypt (16 MiB, tens of ms on libuv's pool), so
 * without this any client could load the gateway, or guess, at the cores' pace. Kept in memory
 * per process: a restart forgets, and each instance counts its own.
 *
 * @example
 * const wait = failures.blockedFor(request.ip);
 * if (wait > 0) throw tooMany(wait);
 * if (!(await verify())) { failures.fail(request.ip); throw unauthorized(); }
 */
export class FailedAttempts {
  readonly #limit: number;
  readonly #clock: Clock;
  readonly #windows = new Map<string, Window>();

  /** `limitPerMinute` 0 turns the count off. */
  constructor(limitPerMinute: number, clock: Clock) {
    this.#limit = limitPerMinute;
    this.#clock = clock;
  }

  /** Milliseconds until `address` may try again; 0 when it may try now. */
  blockedFor(address: string): number {
    if (this.#limit === 0) return 0;
    const window = this.#windows.get(addressKey(address));
    if (window === undefined || window.count < this.#limit) return 0;
    return Math.max(0, window.start + WINDOW_MS - this.#clock.now());
  }

  /** Counts one failed check from `address`. */
  fail(address: string): void {
    if (this.#limit === 0) return;
    const key = addressKey(address);
    const now = this.#clock.now();
    const window = this.#windows.get(key);
    if (window !== undefined && now < window.start + WINDOW_MS) {
      window.count += 1;
      return;
    }
    this.#windows.delete(key);
    if (this.#windows.size >= MAX_ADDRESSES) this.#forget(now);
    this.#windows.set(key, { start: now, count: 1 });
  }

  /** Drops ended windows; if none has ended, the oldest (the map keeps insertion order). */
  #forget(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now >= window.start + WINDOW_MS) this.#windows.delete(key);
    }
    if (this.#windows.size < MAX_ADDRESSES) return;
    const oldest = this.#windows.keys().next();
    if (oldest.done !== true) this.#windows.delete(oldest.value);
  }
}

/** A `Retry-After` value: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The key an address is counted under: an IPv4 address as it is (also when IPv4-mapped), an IPv6
 * address by its /64 — one host is handed a whole /64 and could otherwise rotate through it.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return mapped;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
