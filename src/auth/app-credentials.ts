import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { AppRecord } from '../store/repos/apps.js';
import type { Store } from '../store/store.js';
import { apiClientOf, type AccessCheck } from './access.js';
import type { FailedAttempts } from './failed-attempts.js';
import { DUMMY_SECRET_HASH, verifySecret } from './secrets.js';

/** The outcome of checking an App Key and App Secret for one scope: as a token's, or `locked`. */
export type CredentialCheck =
  | AccessCheck
  /** Too many failed checks of this App Key from this address: refused without a check for `retryAfterMs`. */
  | { readonly ok: false; readonly reason: 'locked'; readonly retryAfterMs: number };

/** A secret found right, and the stored hash it was found right against. */
interface Verified {
  readonly appId: string;
  readonly secretHash: string;
  readonly expiresAt: number;
}

export interface AppCredentialOptions {
  /** Verified secrets remembered at most (the least recently used go first). */
  readonly maxEntries?: number;
  /** How long a verified secret is remembered, from its check. */
  readonly ttlMs?: number;
}

/**
 * API calls authenticated with the app's own credentials (HTTP Basic, App Key:App Secret), as the
 * GSMA OneAPI reference libraries send on every call. A request acts as the app with all of its
 * current scopes, as if it held a token for them.
 *
 * A secret check is an scrypt (≈ 16 MiB, tens of ms): too dear for every request, so a right
 * secret is remembered for a few minutes under an HMAC of key and secret (never the secret; the
 * HMAC key is random per process), with the stored hash it matched.
 * The app itself is still read on every request: suspension, scopes and short codes apply on the
 * next request, and a rotated secret (another hash) is checked again, so the old one fails at once.
 * Identical checks running at once share one scrypt. Failed checks are counted with /oauth's, per
 * address and App Key (the same credential), and past the limit refused without an scrypt.
 */
export class AppCredentialCheck {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #failures: FailedAttempts;
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #hmacKey = randomBytes(32);
  /** By digest, least recently used first (a hit moves its entry to the end). */
  readonly #verified = new Map<string, Verified>();
  /** scrypts under way, by digest and the hash checked against. */
  readonly #running = new Map<string, Promise<boolean>>();
  #scrypts = 0;

  constructor(deps: { readonly store: Store; readonly clock: Clock; readonly failures: FailedAttempts }, options: AppCredentialOptions = {}) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#failures = deps.failures;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
  }

  /** scrypts run so far (what the remembering saves is visible to tests and measurements). */
  get scrypts(): number {
    return this.#scrypts;
  }

  /**
   * Checks `appKey` and `secret` presented from `address` for `scope`: the app's client, or why not
   * (`invalid`: unknown App Key or wrong secret; `locked`; `suspended`; `scope`).
   *
   * @example const check = await credentials.check(request.ip, 'e3a8…', '9f1c…', 'SMS');
   */
  async check(address: string, appKey: string, secret: string, scope: string): Promise<CredentialCheck> {
    const app = await this.#store.apps.getByKey(appKey);
    const digest = this.#digest(appKey, secret);
    if (app === undefined || !this.#remembered(digest, app)) {
      // An unknown App Key is checked against a hash no secret matches: it takes a wrong secret's time.
      const hash = app?.secretHash ?? DUMMY_SECRET_HASH;
      const { wait, ok } = await this.#failures.check(address, appKey, async () => (await this.#verify(digest, secret, hash)) && app !== undefined);
      if (wait > 0) return { ok: false, reason: 'locked', retryAfterMs: wait };
      if (!ok || app === undefined) return { ok: false, reason: 'invalid' };
      this.#remember(digest, app);
    }
    if (app.suspended) return { ok: false, reason: 'suspended' };
    if (!app.scopes.includes(scope)) return { ok: false, reason: 'scope' };
    const shortCodes = (await this.#store.shortCodes.listByApp(app.id)).map((sc) => sc.code);
    return { ok: true, client: apiClientOf({ ...app, shortCodes }, app.scopes) };
  }

  /** Length-prefixed, so no other key and secret give the same text. */
  #digest(appKey: string, secret: string): string {
    return createHmac('sha256', this.#hmacKey).update(`${appKey.length}:${appKey}:${secret}`, 'utf8').digest('base64url');
  }

  /** Whether this secret was found right for the app as it is now: same app, same stored hash, not aged out. */
  #remembered(digest: string, app: AppRecord): boolean {
    const entry = this.#verified.get(digest);
    if (entry === undefined) return false;
    this.#verified.delete(digest);
    if (entry.appId !== app.id || entry.secretHash !== app.secretHash || entry.expiresAt <= this.#clock.now()) return false;
    this.#verified.set(digest, entry);
    return true;
  }

  #remember(digest: string, app: AppRecord): void {
    this.#verified.delete(digest);
    if (this.#verified.size >= this.#maxEntries) {
      const oldest = this.#verified.keys().next();
      if (oldest.done !== true) this.#verified.delete(oldest.value);
    }
    this.#verified.set(digest, { appId: app.id, secretHash: app.secretHash, expiresAt: this.#clock.now() + this.#ttlMs });
  }

  /** The scrypt of `secret` against `hash`, shared with any identical check already running. */
  #verify(digest: string, secret: string, hash: string): Promise<boolean> {
    const key = `${digest} ${hash}`;
    let running = this.#running.get(key);
    if (running === undefined) {
      this.#scrypts += 1;
      running = verifySecret(secret, hash).finally(() => this.#running.delete(key));
      this.#running.set(key, running);
    }
    return running;
  }
}
