import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthService } from '../../auth/oauth.js';
import type { GatewayContext } from '../../context.js';
import { ApiError, OAuthError } from '../../errors.js';
import { parseJsonBody } from '../representation.js';

const TOKEN_PATHS = ['/oauth/v4/token', '/oauth/token', '/oauth/access_token'];
const REVOKE_PATHS = ['/oauth/v4/revoke', '/oauth/revoke'];

const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);

/** One request parameter: absent, or a single string (a repeated form key is an error, RFC 6749 §3.2). */
function param(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw invalidRequest(`${name} must be given once, as a string`);
}

interface ClientCredentials {
  readonly id: string;
  readonly secret: string;
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before being joined and base64-encoded. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * Client credentials from HTTP Basic or the body (`client_id`, `client_secret`); undefined when
 * incomplete. A client_secret in the body beside HTTP Basic is two methods, which RFC 6749 §2.3
 * forbids (§5.2: invalid_request), even with the same secret: no AT&T client sends Basic at all
 * (contract §2.1), and taking one while ignoring the other accepted a wrong body secret.
 */
function clientCredentials(request: FastifyRequest): ClientCredentials | undefined {
  const bodyId = param(request.body, 'client_id');
  const bodySecret = param(request.body, 'client_secret');
  const basic = /^\s*basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (basic !== undefined) {
    if (bodySecret !== undefined) throw invalidRequest('client credentials in HTTP Basic and in the body: use one method (RFC 6749 §2.3)');
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // RFC 6749 §5.2: a failed attempt with the Authorization header is 401 invalid_client.
    if (colon < 0) throw new OAuthError(401, 'invalid_client', 'malformed HTTP Basic credentials');
    const id = formDecode(decoded.slice(0, colon));
    if (bodyId !== undefined && bodyId !== id) throw invalidRequest('client_id in the body differs from HTTP Basic');
    return { id, secret: formDecode(decoded.slice(colon + 1)) };
  }
  if (bodyId === undefined || bodySecret === undefined) return undefined;
  return { id: bodyId, secret: bodySecret };
}

/**
 * The OAuth 2.0 endpoints (contract.md §2): the token endpoint under its three historical paths and
 * revocation. Requests are form-urlencoded (what every AT&T client sends) or JSON; client
 * credentials come in the body or as HTTP Basic. Errors are RFC 6749 bodies.
 */
export async function oauthRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  const oauth = new OAuthService(ctx);

  // Only form and JSON bodies here; a malformed JSON body is an OAuth invalid_request.
  app.removeContentTypeParser(['application/json', 'application/xml', 'text/xml', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err instanceof ApiError ? invalidRequest('malformed JSON body') : (err as Error), undefined);
    }
  });

  async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    // A failure after an attempt with HTTP Basic answers `WWW-Authenticate` (RFC 6749 §5.2).
    const basic = /^\s*basic\s/i.test(request.headers.authorization ?? '');
    try {
      const creds = clientCredentials(request);
      if (creds === undefined) throw new OAuthError(401, 'invalid_client', 'client_id and client_secret are required (form body or HTTP Basic)');
      return await oauth.authenticateClient(request.ip, creds.id, creds.secret);
    } catch (err) {
      if (basic && err instanceof OAuthError && err.status === 401) reply.header('www-authenticate', 'Basic realm="switchboard"');
      throw err;
    }
  }

  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('pragma', 'no-cache');

  for (const url of TOKEN_PATHS) {
    app.post(url, async (request, reply) => {
      const grantType = param(request.body, 'grant_type');
      if (grantType === undefined) throw invalidRequest('grant_type is required');
      if (grantType !== 'client_credentials' && grantType !== 'refresh_token') {
        throw new OAuthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported (client_credentials, refresh_token)`);
      }
      const client = await authenticate(request, reply);
      const scope = param(request.body, 'scope');
      let tokens;
      if (grantType === 'client_credentials') {
        // The v2 docs' "refresh" example sends a stray refresh_token with client_credentials: ignored.
        tokens = await oauth.clientCredentials(client, scope);
      } else {
        const refreshToken = param(request.body, 'refresh_token');
        if (refreshToken === undefined) throw invalidRequest('refresh_token is required');
        tokens = await oauth.refresh(client, refreshToken, scope);
      }
      return noStore(reply).code(200).send(tokens);
    });
  }

  for (const url of REVOKE_PATHS) {
    app.post(url, async (request, reply) => {
      const token = param(request.body, 'token');
      if (token === undefined) throw invalidRequest('token is required');
      const client = await authenticate(request, reply);
      // token_type_hint (access_token | refresh_token) only speeds up a lookup; a hash finds either kind.
      await oauth.revoke(client, token);
      return noStore(reply).code(200).send({});
    });
  }
}
