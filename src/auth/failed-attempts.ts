import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Clock } from '../clock.js';

const WINDOW_MS = 60_000;
/**
 * Windows remembered at most by each count: full, the app secrets' two counts take ≈ 45 MB, the
 * admin token's ≈ 15 MB. Past that the oldest are forgotten first, so a client with more addresses
 * than this (IPv6 /64s) could rotate its own windows away.
 */
const MAX_WINDOWS = 100_000;
/**
 * An address's app-secret checks that may fail a minute, in all, as a multiple of one client_id's
 * limit: 300 scrypts a minute at the default 30, about a sixth of a core.
 */
const CLIENT_IDS_PER_ADDRESS = 10;

interface Window {
  readonly start: number;
  count: number;
}

/** Fixed one-minute windows of counts by key, in order of start (a renewed window goes to the end). */
class Windows {
  readonly #windows = new Map<string, Window>();

  /** The key's window if its minute is still running at `now`. */
  live(key: string, now: number): Window | undefined {
    const window = this.#windows.get(key);
    return window !== undefined && now < window.start + WINDOW_MS ? window : undefined;
  }

  /** Counts one for the key at `now`, in a new window when it had none or its minute has ended. */
  count(key: string, now: number): void {
    let window = this.live(key, now);
    if (window === undefined) {
      this.#windows.delete(key);
      if (this.#windows.size >= MAX_WINDOWS) this.#forget(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
  }

  /** Takes back one count of the key's window, if it still has one. */
  uncount(key: string): void {
    const window = this.#windows.get(key);
    if (window !== undefined && window.count > 0) window.count -= 1;
  }

  /** Drops the windows that ended (the oldest come first), or else the oldest one. */
  #forget(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now < window.start + WINDOW_MS) break;
      this.#windows.delete(key);
    }
    if (this.#windows.size < MAX_WINDOWS) return;
    const oldest = this.#windows.keys().next();
    if (oldest.done !== true) this.#windows.delete(oldest.value);
  }
}

/**
 * Credential checks that failed, counted in fixed one-minute windows per client address and the
 * credential it claims (an app's client_id; '' where there is only one, the admin token): once a
 * pair has `limitPerMinute` of them, it is refused without a check until its window ends, and the
 * address's other credentials are not. A check counts from the moment it is taken until it is
 * released as not failed: checks running at once count before any of them ends, so a burst of
 * guesses cannot run past the limit. A check that only waits for the verdict of an identical one
 * (`join`) takes no attempt: right credentials sent in a burst are not held back. Kept in memory per process: a restart forgets, and each instance counts its
 * own.
 *
 * Every failed app-secret check costs an scrypt (16 MiB, tens of ms on libuv's pool), also for an
 * unknown client_id, which is checked against a dummy hash so that it takes the time a wrong secret
 * does. Counting by client_id alone would let one client rotate made-up client_ids and load the
 * gateway at the cores' pace, so `addressCeiling`, when given, bounds the failed checks of all an
 * address's credentials together as well. It is a multiple of the limit: one client_id's failures
 * never reach it, and the apps behind one NAT or proxy are refused together only when several of
 * them fail their limit in one minute.
 *
 * @example
 * const wait = failures.attempt(request.ip, clientId);
 * if (wait > 0) throw tooMany(wait);
 * if (!(await verify())) throw unauthorized(); // stays counted
 * failures.release(request.ip, clientId);
 */
export class FailedAttempts {
  readonly #limit: number;
  readonly #ceiling: number | undefined;
  readonly #clock: Clock;
  readonly #byCredential = new Windows();
  readonly #byAddress = new Windows();

  /** `limitPerMinute` 0 turns the count off. */
  constructor(limitPerMinute: number, clock: Clock, options: { readonly addressCeiling?: number } = {}) {
    this.#limit = limitPerMinute;
    this.#ceiling = options.addressCeiling;
    this.#clock = clock;
  }

  /**
   * Takes one check of `credential` from `address`: 0 when it may run now (it counts as failed
   * until released), else the milliseconds until it may be tried again.
   */
  attempt(address: string, credential: string): number {
    if (this.#limit === 0) return 0;
    const now = this.#clock.now();
    // A refusal is checked for before anything is counted: refused attempts take no memory.
    const key = credentialKey(address, credential);
    const own = this.#byCredential.live(key, now);
    if (own !== undefined && own.count >= this.#limit) return own.start + WINDOW_MS - now;
    if (this.#ceiling !== undefined) {
      const all = this.#byAddress.live(addressKey(address), now);
      if (all !== undefined && all.count >= this.#ceiling) return all.start + WINDOW_MS - now;
    }
    this.#count(address, credential, now);
    return 0;
  }

  #count(address: string, credential: string, now: number): void {
    if (this.#ceiling !== undefined) this.#byAddress.count(addressKey(address), now);
    this.#byCredential.count(credentialKey(address, credential), now);
  }

  /** The check `attempt` took did not fail (right credentials, or no verdict): it no longer counts. */
  release(address: string, credential: string): void {
    if (this.#limit === 0) return;
    this.#byCredential.uncount(credentialKey(address, credential));
    if (this.#ceiling !== undefined) this.#byAddress.uncount(addressKey(address));
  }

  /**
   * One check of `credential` from `address`: `wait` > 0 when it is refused without running
   * `verify`; else `verify`'s verdict, a failure counted (a throw is no verdict and counts nothing).
   */
  async check(address: string, credential: string, verify: () => Promise<boolean>): Promise<{ readonly wait: number; readonly ok: boolean }> {
    const wait = this.attempt(address, credential);
    if (wait > 0) return { wait, ok: false };
    let ok: boolean;
    try {
      ok = await verify();
    } catch (err) {
      this.release(address, credential);
      throw err;
    }
    if (ok) this.release(address, credential);
    return { wait: 0, ok };
  }

  /**
   * A check of `credential` from `address` that shares the `verdict` of an identical check already
   * running (the same credential and secret), which took its attempt: it takes none and is never
   * refused — it runs no check and learns nothing that check does not — so that a burst of right
   * ones cannot lock their own client out. A failed verdict counts, as `check`'s does.
   */
  async join(address: string, credential: string, verdict: Promise<boolean>): Promise<{ readonly wait: 0; readonly ok: boolean }> {
    const ok = await verdict;
    if (!ok && this.#limit !== 0) this.#count(address, credential, this.#clock.now());
    return { wait: 0, ok };
  }
}

/** The counts of a gateway's credentials, each kept apart from the others. */
export interface AuthFailures {
  /** App secrets at /oauth and in HTTP Basic on API calls: by address and client_id (App Key), under a ceiling per address. */
  readonly appSecrets: FailedAttempts;
  /** The admin token at /admin/v1 and the console's sign-in (credential ''): by address. */
  readonly adminToken: FailedAttempts;
}

/** `SWITCHBOARD_AUTH_FAILURES_PER_MINUTE` for each credential; 0 turns the counts off. */
export function createAuthFailures(limitPerMinute: number, clock: Clock): AuthFailures {
  return {
    appSecrets: new FailedAttempts(limitPerMinute, clock, { addressCeiling: limitPerMinute * CLIENT_IDS_PER_ADDRESS }),
    adminToken: new FailedAttempts(limitPerMinute, clock),
  };
}

/** A `Retry-After` value: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The key of a credential from an address. A client_id is any text the client sends, up to the
 * body limit: a digest keeps every key short.
 */
function credentialKey(address: string, credential: string): string {
  const digest = credential === '' ? '' : createHash('sha256').update(credential, 'utf8').digest('base64url').slice(0, 22);
  return `${addressKey(address)} ${digest}`;
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
