import type { Clock } from '../clock.js';
import type { AccessGrant } from '../store/repos/tokens.js';
import type { Store } from '../store/store.js';
import { isLive } from './oauth.js';
import { sha256Hex } from './secrets.js';

/**
 * Who is calling the API: set on the request by API authentication. It carries the app settings
 * the API paths need (throttles, delivery status URL, short codes), read with the token, so a
 * request reads its app once and sees an operator's change on the very next request.
 */
export interface ApiClient {
  readonly appId: string;
  readonly appName: string;
  readonly scopes: readonly string[];
  readonly realm: 'sandbox' | 'production';
  /** Send throttles; null means unlimited. */
  readonly ratePerSecond: number | null;
  readonly ratePerDay: number | null;
  /** Where AT&T delivery status notifications go (null: none). */
  readonly deliveryStatusUrl: string | null;
  /** The app's short codes, in code order. */
  readonly shortCodes: readonly string[];
}

/** The outcome of checking an access token for one scope. */
export type AccessCheck =
  | { readonly ok: true; readonly client: ApiClient }
  /** `invalid`: unknown, expired, revoked or not an access token; `suspended`: the app is suspended; `scope`: lacks the scope. */
  | { readonly ok: false; readonly reason: 'invalid' | 'suspended' | 'scope' };

/** Checks a presented access token: live, its app not suspended, and carrying `scope`. */
export async function checkAccessToken(store: Store, clock: Clock, token: string, scope: string): Promise<AccessCheck> {
  const grant = await store.tokens.getAccessGrant(sha256Hex(token));
  if (grant === undefined || !isLive(grant.token, clock.now())) return { ok: false, reason: 'invalid' };
  if (grant.app.suspended) return { ok: false, reason: 'suspended' };
  // A scope the operator has since taken from the app no longer counts.
  const scopes = grant.token.scopes.filter((s) => grant.app.scopes.includes(s));
  if (!scopes.includes(scope)) return { ok: false, reason: 'scope' };
  return { ok: true, client: apiClientOf(grant.app, scopes) };
}

/** The app settings an API client carries: an access grant's app, or an app record with its short codes. */
export type ApiApp = Pick<AccessGrant['app'], 'id' | 'name' | 'realm' | 'ratePerSecond' | 'ratePerDay' | 'deliveryStatusUrl' | 'shortCodes'>;

/** The client of an app that is allowed `scopes`, however it authenticated (a token, HTTP Basic). */
export function apiClientOf(app: ApiApp, scopes: readonly string[]): ApiClient {
  return {
    appId: app.id,
    appName: app.name,
    scopes,
    realm: app.realm,
    ratePerSecond: app.ratePerSecond,
    ratePerDay: app.ratePerDay,
    deliveryStatusUrl: app.deliveryStatusUrl,
    shortCodes: app.shortCodes,
  };
}
