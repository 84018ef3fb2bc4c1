import type { FastifyRequest } from 'fastify';
import { checkAccessToken, type ApiClient } from '../auth/access.js';
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

/**
 * The access token a request presents: `Authorization: Bearer <token>` (scheme in any case, as the
 * 2012 C# sample sends `BEARER`), else the `access_token` query parameter (older clients).
 */
export function presentedToken(authorization: string | undefined, query: unknown): string | undefined {
  const bearer = authorization === undefined ? undefined : /^\s*bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (bearer !== undefined) return bearer;
  if (query === null || typeof query !== 'object') return undefined;
  const param = (query as Record<string, unknown>).access_token;
  const value = Array.isArray(param) ? (param as unknown[])[0] : param;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * API authentication (contract.md §1.1, §1.2) as a fastify hook: sets `request.apiClient`, or fails
 * with POL0001 — 400 when no token is presented, 401 (+ `WWW-Authenticate`) when it is unknown,
 * expired or revoked, 403 when it lacks `scope` — or 403 POL1010 when the app is suspended. The
 * error plugin renders the envelope of the path's flavour.
 *
 * Use it as `onRequest` so a request is refused before its body is parsed and validated:
 * @example app.post('/sms/v3/messaging/outbox', { onRequest: apiAuth(ctx) }, handler)
 */
export function apiAuth(ctx: GatewayContext, scope: string = SMS_SCOPE) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const token = presentedToken(request.headers.authorization, request.query);
    if (token === undefined) {
      throw new ApiError('POL0001', ['Access token missing'], { status: 400, headers: { 'www-authenticate': REALM } });
    }
    const check = await checkAccessToken(ctx.store, ctx.clock, token, scope);
    if (check.ok) {
      request.apiClient = check.client;
      return;
    }
    switch (check.reason) {
      case 'invalid':
        throw new ApiError('POL0001', ['Access token invalid or expired'], {
          status: 401,
          headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
        });
      case 'suspended':
        throw new ApiError('POL1010', [scope]);
      case 'scope':
        throw new ApiError('POL0001', [`Access token not valid for ${scope}`], {
          status: 403,
          headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"` },
        });
    }
  };
}
