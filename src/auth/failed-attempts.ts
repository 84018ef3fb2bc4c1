import { isIPv6 } from 'node:net';
import type { Clock } from '../clock.js';

const WINDOW_MS = 60_000;
/**
 * Addresses remembered at most (≈ 15 MB); past that the oldest windows are forgotten first, so a
 * client with more addresses than this (IPv6 /64s) could rotate its own windows away.
 */
const MAX_ADDRESSES = 100_000;

interface Window {
  readonly start: number;
  count: number;
}

/**
 * Credential checks that failed, counted per client address in fixed one-minute windows: once an
 * address has `limitPerMinute` of them, it is refused without a check until its window ends.
 * Every failed app-secret check costs an scrypt (16 MiB, tens of ms on libuv's pool), so without
 * this any client could load the gateway, or guess, at the cores' pace. A check counts from the
 * moment it is taken until it is released as not failed: checks running at once count before any
 * of them ends, so a burst cannot run past the limit. Kept in memory per process: a restart
 * forgets, and each instance counts its own.
 *
 * @example
 * const wait = failures.attempt(request.ip);
 * if (wait > 0) throw tooMany(wait);
 * if (!(await verify())) throw unauthorized(); // stays counted
 * failures.release(request.ip);
 */
export class FailedAttempts {
  readonly #limit: number;
  readonly #clock: Clock;
  /** In order of window start: a renewed window is inserted again at the end. */
  readonly #windows = new Map<string, Window>();

  /** `limitPerMinute` 0 turns the count off. */
  constructor(limitPerMinute: number, clock: Clock) {
    this.#limit = limitPerMinute;
    this.#clock = clock;
  }

  /**
   * Takes one credential check for `address`: 0 when it may run now (it counts as failed until
   * released), else the milliseconds until the address may try again.
   */
  attempt(address: string): number {
    if (this.#limit === 0) return 0;
    const key = addressKey(address);
    const now = this.#clock.now();
    let window = this.#windows.get(key);
    if (window === undefined || now >= window.start + WINDOW_MS) {
      this.#windows.delete(key);
      if (this.#windows.size >= MAX_ADDRESSES) this.#forget(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    if (window.count >= this.#limit) return window.start + WINDOW_MS - now;
    window.count += 1;
    return 0;
  }

  /** The check `attempt` took did not fail (right credentials, or no verdict): it no longer counts. */
  release(address: string): void {
    if (this.#limit === 0) return;
    const window = this.#windows.get(addressKey(address));
    if (window !== undefined && window.count > 0) window.count -= 1;
  }

  /**
   * One credential check for `address`: `wait` > 0 when it is refused without running `verify`;
   * else `verify`'s verdict, a failure counted (a throw is no verdict and counts nothing).
   */
  async check(address: string, verify: () => Promise<boolean>): Promise<{ readonly wait: number; readonly ok: boolean }> {
    const wait = this.attempt(address);
    if (wait > 0) return { wait, ok: false };
    let ok: boolean;
    try {
      ok = await verify();
    } catch (err) {
      this.release(address);
      throw err;
    }
    if (ok) this.release(address);
    return { wait: 0, ok };
  }

  /** Drops the windows that ended (the oldest come first), or else the oldest one. */
  #forget(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now < window.start + WINDOW_MS) break;
      this.#windows.delete(key);
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
