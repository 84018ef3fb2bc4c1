import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { OAuthError } from '../errors.js';
import type { AppRecord } from '../store/repos/apps.js';
import type { TokenRecord } from '../store/repos/tokens.js';
import type { Store } from '../store/store.js';
import { missingScopes, parseScopes } from './scopes.js';
import type { AppCredentialCheck } from './app-credentials.js';
import { retryAfterSeconds } from './failed-attempts.js';
import { newToken, sha256Hex } from './secrets.js';

/** The body of a successful token response (contract.md §2.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'bearer';
  /** Seconds; 0 = the access token never expires. */
  readonly expires_in: number;
  readonly refresh_token: string;
}

/** Rows deleted per token issued, by each clean-up: it stays bounded and keeps pace. */
const PURGE_BATCH = 100;

/**
 * OAuth 2.0 client-credentials and refresh-token grants, and revocation (RFC 6749, RFC 7009).
 *
 * Decisions where AT&T left no trace (contract.md §2):
 * - A suspended app is refused as `invalid_client` (401) once its secret checks out, and its
 *   existing tokens stop working while it stays suspended.
 * - A refresh token is redeemed once: using it returns a new pair (as AT&T did) and revokes it;
 *   access tokens minted earlier keep working until they expire. Redeeming it again is `invalid_grant`.
 * - `scope` is optional on client_credentials: without it the token gets all of the app's scopes.
 * - An app keeps at most `SWITCHBOARD_MAX_TOKENS_PER_APP` token pairs: a new one deletes the
 *   oldest, with the access tokens minted from it (as Google's OAuth server does at 100 per client).
 */
export class OAuthService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #credentials: AppCredentialCheck;

  constructor(deps: { store: Store; clock: Clock; config: Config; appCredentials: AppCredentialCheck }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#credentials = deps.appCredentials;
  }

  /**
   * Checks client credentials presented from `address`; throws `invalid_client` (401) for an
   * unknown app, a wrong secret or a suspended app, and, with Retry-After, for a client_id past
   * its failed checks from the address (contract §13: AT&T clients know no 429, and §2.1 gives a
   * refused client 401).
   */
  async authenticateClient(address: string, clientId: string, clientSecret: string): Promise<AppRecord> {
    const check = await this.#credentials.authenticate(address, clientId, clientSecret);
    if (!check.ok && check.reason === 'locked') {
      const seconds = retryAfterSeconds(check.retryAfterMs);
      throw new OAuthError(401, 'invalid_client', `too many failed client authentications from this address; retry in ${seconds} s`, { 'retry-after': String(seconds) });
    }
    if (!check.ok) throw invalidClient('client authentication failed');
    if (check.app.suspended) throw invalidClient('the app is suspended');
    return check.app;
  }

  /** `grant_type=client_credentials`: a fresh token pair for the requested scopes (default: all of the app's). */
  async clientCredentials(app: AppRecord, scope: string | undefined): Promise<TokenResponse> {
    const requested = scope === undefined ? [...app.scopes] : parseScopes(scope);
    if (requested.length === 0) throw new OAuthError(400, 'invalid_scope', 'scope is empty');
    const missing = missingScopes(requested, app.scopes);
    if (missing.length > 0) throw new OAuthError(400, 'invalid_scope', `scope not provisioned for this app: ${missing.join(',')}`);
    return this.#issue(app, requested);
  }

  /** `grant_type=refresh_token`: redeems the refresh token for a new pair with the same (or narrower) scopes. */
  async refresh(app: AppRecord, refreshToken: string, scope: string | undefined): Promise<TokenResponse> {
    const now = this.#clock.now();
    const hash = sha256Hex(refreshToken);
    const old = await this.#store.tokens.get(hash);
    if (old === undefined || old.kind !== 'refresh' || old.appId !== app.id || !isLive(old, now)) {
      throw new OAuthError(400, 'invalid_grant', 'the refresh token is invalid, expired or revoked');
    }
    // Scopes taken from the app since the token was issued are not handed out again.
    let scopes = old.scopes.filter((s) => app.scopes.includes(s));
    if (scope !== undefined) {
      const requested = parseScopes(scope);
      const missing = missingScopes(requested, scopes);
      if (requested.length === 0 || missing.length > 0) {
        throw new OAuthError(400, 'invalid_scope', `scope exceeds the refresh token's: ${missing.join(',') || '(empty)'}`);
      }
      scopes = requested;
    }
    if (scopes.length === 0) throw new OAuthError(400, 'invalid_scope', 'the app no longer has any of this token\'s scopes');
    return this.#issue(app, scopes, hash);
  }

  /**
   * Revokes a token of `app` (RFC 7009): unknown tokens, other apps' tokens and already revoked
   * ones are silently ignored. Revoking a refresh token also revokes the access tokens minted from it.
   */
  async revoke(app: AppRecord, token: string): Promise<void> {
    await this.#store.tokens.revoke(sha256Hex(token), app.id, this.#clock.now());
  }

  async #issue(app: AppRecord, scopes: readonly string[], replaces?: string): Promise<TokenResponse> {
    const now = this.#clock.now();
    const accessToken = newToken();
    const refreshToken = newToken();
    const ttl = this.#config.tokenTtlS;
    const refresh: TokenRecord = {
      hash: sha256Hex(refreshToken),
      appId: app.id,
      kind: 'refresh',
      parentHash: null,
      scopes,
      expiresAt: now + this.#config.refreshTokenTtlS * 1000,
      revokedAt: null,
      createdAt: now,
    };
    const access: TokenRecord = {
      hash: sha256Hex(accessToken),
      appId: app.id,
      kind: 'access',
      parentHash: refresh.hash,
      scopes,
      expiresAt: ttl === 0 ? null : now + ttl * 1000,
      revokedAt: null,
      createdAt: now,
    };
    // Stored only if the app still has the secret hash the client was checked against, and is
    // neither suspended nor deleted: a rotation while the secret was being checked revokes
    // everything the old secret got, and would not revoke a pair stored after it.
    const outcome = await this.#store.tokens.issuePair(access, refresh, now, app.secretHash, replaces);
    if (outcome === 'client-changed') throw invalidClient('the app was changed (secret rotated, suspended or deleted) during the request');
    if (outcome === 'grant-spent') throw new OAuthError(400, 'invalid_grant', 'the refresh token is invalid, expired or revoked');
    await this.#store.tokens.purge(now, PURGE_BATCH);
    // A client that asks for a token per request would otherwise grow the table for the refresh
    // tokens' whole life (90 days), however few of them it ever uses.
    await this.#store.tokens.trimApp(app.id, this.#config.maxTokensPerApp, PURGE_BATCH);
    return { access_token: accessToken, token_type: 'bearer', expires_in: ttl, refresh_token: refreshToken };
  }
}

const invalidClient = (description: string) => new OAuthError(401, 'invalid_client', description);

/** Not revoked and not expired at `now`. */
export function isLive(token: TokenRecord, now: number): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now);
}
