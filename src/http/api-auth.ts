import type { FastifyRequest } from 'fastify';
import { checkAccessToken, type AccessCheck, type ApiClient } from '../auth/access.js';
import type { CredentialCheck } from '../auth/app-credentials.js';
import { retryAfterSeconds } from '../auth/failed-attempts.js';
import { SMS_SCOPE } from '../auth/scopes.js';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated app; set by `apiAuth` (only on routes that use it). */
    apiClient: ApiClient;
  }
}

export type { ApiClient } from '../auth/access.js';

const REALM = 'Bearer realm="switchboard"';
const BASIC_REALM = 'Basic realm="switchboard"';

/**
 * The schemes that carry an access token: `Bearer` (RFC 6750), and `OAuth`, its name in the OAuth
 * 2.0 drafts up to draft-10, which early clients of the AT&T platform were written against.
 * Scheme names match in any case (RFC 7235), as the 2012 C# sample sends `BEARER`.
 */
const TOKEN_SCHEME = /^\s*(?:bearer|oauth)(?:\s|$)/i;
const TOKEN_HEADER = /^\s*(?:bearer|oauth)\s+(\S+)\s*$/i;

/**
 * The access token a request presents: `Authorization: Bearer <token>` (or `OAuth <token>`), else
 * the `access_token` query parameter (older clients).
 */
export function presentedToken(authorization: string | undefined, query: unknown): string | undefined {
  const bearer = authorization === undefined ? undefined : TOKEN_HEADER.exec(authorization)?.[1];
  if (bearer !== undefined) return bearer;
  if (query === null || typeof query !== 'object') return undefined;
  const param = (query as Record<string, unknown>).access_token;
  const value = Array.isArray(param) ? (param as unknown[])[0] : param;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** App Key and App Secret from `Authorization: Basic …`. */
export interface BasicCredentials {
  readonly appKey: string;
  readonly secret: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * HTTP Basic credentials (RFC 7617; scheme in any case): undefined when the header is not Basic,
 * 'malformed' when it is Basic but not base64 of UTF-8 `appKey:secret` with a non-empty App Key
 * (padding may be left off). Unlike /oauth (RFC 6749 §2.3.1), the parts are taken as they are, not
 * form-decoded: the GSMA libraries join and encode them raw.
 */
export function presentedBasic(authorization: string | undefined): BasicCredentials | 'malformed' | undefined {
  const match = /^\s*basic(?:\s+(.*?))?\s*$/i.exec(authorization ?? '');
  if (match === null) return undefined;
  const encoded = match[1];
  if (encoded === undefined || !BASE64.test(encoded)) return 'malformed';
  let decoded: string;
  try {
    decoded = UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    return 'malformed';
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return 'malformed';
  return { appKey: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/**
 * API authentication (contract.md §1.1, §1.2) as a fastify hook: sets `request.apiClient`, or fails
 * with POL0001 — 400 when no token is presented, 401 (+ `WWW-Authenticate`) when it is unknown,
 * expired or revoked, 403 when it lacks `scope` — or 403 POL1010 when the app is suspended. The
 * error plugin renders the envelope of the path's flavour.
 *
 * Without a token, HTTP Basic with the App Key and App Secret (GSMA OneAPI libraries) acts as the
 * app with all its scopes: a wrong or malformed one is 401 POL0001 with a Basic challenge; too many
 * failed ones from the address 403 POL0001 with `Retry-After` (contract §13, as a throttle).
 *
 * Use it as `onRequest` so a request is refused before its body is parsed and validated:
 * @example app.post('/sms/v3/messaging/outbox', { onRequest: apiAuth(ctx) }, handler)
 */
export function apiAuth(ctx: GatewayContext, scope: string = SMS_SCOPE) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const token = presentedToken(request.headers.authorization, request.query);
    if (token !== undefined) {
      const check = await checkAccessToken(ctx.store, ctx.clock, token, scope);
      if (!check.ok) throw tokenRefusal(check, scope);
      request.apiClient = check.client;
      return;
    }
    const basic = presentedBasic(request.headers.authorization);
    if (basic === undefined) {
      throw new ApiError('POL0001', [noTokenReason(request.headers.authorization)], { status: 400, headers: { 'www-authenticate': REALM } });
    }
    // Malformed credentials cost no check and are not counted (as at /oauth).
    if (basic === 'malformed') throw basicChallenge('Malformed HTTP Basic credentials');
    const check = await ctx.appCredentials.check(request.ip, basic.appKey, basic.secret, scope);
    if (!check.ok) throw basicRefusal(check, scope);
    request.apiClient = check.client;
  };
}

/**
 * Why a request without a usable token or Basic credentials has none: no header, a token scheme
 * without exactly one token, or another scheme. The scheme is not echoed: a client that left it
 * out sent its token there.
 */
function noTokenReason(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') return 'Access token missing';
  if (TOKEN_SCHEME.test(authorization)) return 'Malformed Authorization header: expected Bearer <access token>';
  return 'Authorization scheme not supported: use Bearer <access token>';
}

function tokenRefusal(check: Extract<AccessCheck, { ok: false }>, scope: string): ApiError {
  switch (check.reason) {
    case 'invalid':
      return new ApiError('POL0001', ['Access token invalid or expired'], {
        status: 401,
        headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
      });
    case 'suspended':
      return new ApiError('POL1010', [scope]);
    case 'scope':
      return new ApiError('POL0001', [`Access token not valid for ${scope}`], {
        status: 403,
        headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"` },
      });
  }
}

function basicRefusal(check: Extract<CredentialCheck, { ok: false }>, scope: string): ApiError {
  switch (check.reason) {
    case 'invalid':
      return basicChallenge('Invalid client credentials');
    case 'locked': {
      // Not 401: the credentials were not checked, and may be right. Not 429: AT&T clients expect a
      // refusal of this kind as 403 POL0001 (contract §13), as the send throttle answers.
      const seconds = retryAfterSeconds(check.retryAfterMs);
      return new ApiError('POL0001', [`Too many failed authentications from this address; retry in ${seconds} s`], {
        status: 403,
        headers: { 'retry-after': String(seconds) },
      });
    }
    case 'suspended':
      return new ApiError('POL1010', [scope]);
    case 'scope':
      // No `insufficient_scope`: that is a Bearer token's error (RFC 6750).
      return new ApiError('POL0001', [`App not provisioned for ${scope}`], { status: 403 });
  }
}

/**
 * The refusal of a request whose app was deleted while it was under way (AppGoneError): as its
 * credentials, token or HTTP Basic, are refused from now on.
 */
export function appGoneRefusal(request: FastifyRequest): ApiError {
  if (presentedToken(request.headers.authorization, request.query) !== undefined) return tokenRefusal({ ok: false, reason: 'invalid' }, SMS_SCOPE);
  return basicChallenge('Invalid client credentials');
}

/** A 401 that asks for HTTP Basic again. */
function basicChallenge(why: string): ApiError {
  return new ApiError('POL0001', [why], { status: 401, headers: { 'www-authenticate': BASIC_REALM } });
}
