import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { AppRecord, AppWithShortCodes } from '../store/repos/apps.js';
import type { Store } from '../store/store.js';
import { apiClientOf, type AccessCheck } from './access.js';
import type { FailedAttempts } from './failed-attempts.js';
import { DUMMY_SECRET_HASH, isAppKey, verifySecret } from './secrets.js';

/** Too many failed checks of this App Key from this address: refused without a check for `retryAfterMs`. */
export interface Locked {
  readonly ok: false;
  readonly reason: 'locked';
  readonly retryAfterMs: number;
}

/** The outcome of checking an App Key and App Secret: the app (suspended or not), `invalid` or `locked`. */
export type AppAuthentication = { readonly ok: true; readonly app: AppWithShortCodes } | { readonly ok: false; readonly reason: 'invalid' } | Locked;

/** The outcome of checking an App Key and App Secret for one scope: as a token's, or `locked`. */
export type CredentialCheck = AccessCheck | Locked;

/** A secret found right, and the stored hash it was found right against. */
interface Verified {
  readonly appId: string;
  readonly secretHash: string;
  readonly expiresAt: number;
}

export interface AppCredentialOptions {
  /** Verified secrets remembered at most (the least recently used go first). */
  readonly maxEntries?: number;
  /**
   * How long a verified secret is remembered, from its check; a hit does not renew it. Renewing
   * would save a busy client one scrypt per period (shared by its requests in flight, which take
   * one attempt between them) but let traffic keep a secret verified once remembered for ever.
   */
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
 * The app itself, with its short codes, is still read on every request (on every instance):
 * suspension, scopes and short codes apply on the next request, and a rotated secret (another
 * hash) is checked again, so the old one fails at once.
 * Identical checks running at once share one scrypt, and only the first takes an attempt of the
 * failed-check count (per address and App Key, /oauth's too): past the limit an App Key is refused
 * without an scrypt. /oauth checks its clients here too, but remembers nothing (a token request
 * is one per token, not one per call).
 */
export class AppCredentialCheck {
  readonly #store: Pick<Store, 'apps'>;
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

  constructor(deps: { readonly store: Pick<Store, 'apps'>; readonly clock: Clock; readonly failures: FailedAttempts }, options: AppCredentialOptions = {}) {
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
    const found = await this.#appOf(appKey);
    const digest = this.#digest(appKey, secret);
    let app: AppWithShortCodes;
    if (found !== undefined && this.#remembered(digest, found)) {
      app = found;
    } else {
      const checked = await this.#authenticate(address, appKey, secret, digest, found);
      if (!checked.ok) return checked;
      app = checked.app;
      this.#remember(digest, app);
    }
    if (app.suspended) return { ok: false, reason: 'suspended' };
    if (!app.scopes.includes(scope)) return { ok: false, reason: 'scope' };
    return { ok: true, client: apiClientOf(app, app.scopes) };
  }

  /**
   * Checks `appKey` and `secret` presented from `address` (/oauth's client authentication): the
   * app, suspended or not, or why not. Always an scrypt, never remembered.
   */
  async authenticate(address: string, appKey: string, secret: string): Promise<AppAuthentication> {
    return this.#authenticate(address, appKey, secret, this.#digest(appKey, secret), await this.#appOf(appKey));
  }

  /** The app of an App Key; one that does not have an App Key's form is no app's, without a read. */
  #appOf(appKey: string): Promise<AppWithShortCodes | undefined> {
    return isAppKey(appKey) ? this.#store.apps.getByKey(appKey) : Promise.resolve(undefined);
  }

  /**
   * The scrypt of `secret` against `app`'s hash, or against one no secret matches when there is no
   * such app (it takes a wrong secret's time). A check identical to one running waits for its
   * verdict and takes no attempt (see FailedAttempts.join).
   */
  async #authenticate(address: string, appKey: string, secret: string, digest: string, app: AppWithShortCodes | undefined): Promise<AppAuthentication> {
    const hash = app?.secretHash ?? DUMMY_SECRET_HASH;
    const key = `${digest} ${hash}`;
    const running = this.#running.get(key);
    // FailedAttempts.check calls #verify before its first await, so a check that follows finds it running.
    const { wait, ok } = running !== undefined ? await this.#failures.join(address, appKey, running) : await this.#failures.check(address, appKey, () => this.#verify(key, secret, hash));
    if (wait > 0) return { ok: false, reason: 'locked', retryAfterMs: wait };
    if (!ok || app === undefined) return { ok: false, reason: 'invalid' };
    return { ok: true, app };
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

  /** The scrypt of `secret` against `hash`, found by identical checks (`key`) while it runs. */
  #verify(key: string, secret: string, hash: string): Promise<boolean> {
    this.#scrypts += 1;
    const running = verifySecret(secret, hash).finally(() => this.#running.delete(key));
    this.#running.set(key, running);
    return running;
  }
}
