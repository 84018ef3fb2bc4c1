import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { adminTokenDigest } from '../auth/admin-token.js';
import { sameDigest, sha256Hex } from '../auth/secrets.js';
import type { GatewayContext } from '../context.js';
import type { ConsoleSession } from '../store/repos/console.js';

export const SESSION_COOKIE = 'switchboard_console';
const COOKIE_PATH = '/console';

/** The session cookie's value, if the request carries one. */
function cookieToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[0-9a-f]{64}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

function cookie(ctx: GatewayContext, request: FastifyRequest, value: string, maxAgeS: number): string {
  // Secure whenever the console is reached over https: the request's protocol is the trusted
  // proxy's X-Forwarded-Proto behind one (SWITCHBOARD_TRUST_PROXY). SameSite=Strict keeps the
  // cookie off every cross-site request.
  const secure = request.protocol === 'https' || ctx.config.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`;
}

/**
 * Signs in (the caller has checked the admin token): a random token goes to the browser in an
 * HttpOnly cookie; the store keeps only its SHA-256, with the session's CSRF token, expiry
 * (SWITCHBOARD_CONSOLE_SESSION_TTL_S) and the digest of the admin token in force.
 */
export async function startSession(ctx: GatewayContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = randomBytes(32).toString('hex');
  const now = ctx.clock.now();
  const ttlS = ctx.config.consoleSessionTtlS;
  await ctx.store.console.purgeSessions(now);
  await ctx.store.console.createSession({
    tokenHash: sha256Hex(token),
    csrfToken: randomBytes(24).toString('hex'),
    createdAt: now,
    expiresAt: now + ttlS * 1000,
    adminDigest: (await adminTokenDigest(ctx.store, ctx.config)) ?? null,
  });
  reply.header('set-cookie', cookie(ctx, request, token, ttlS));
}

/**
 * The request's live session, or undefined (no cookie, unknown or expired, or signed in with an
 * admin token that is no longer in force: rotating a leaked token must shut its sessions out too).
 */
export async function findSession(ctx: GatewayContext, request: FastifyRequest): Promise<ConsoleSession | undefined> {
  const token = cookieToken(request);
  if (token === undefined) return undefined;
  const session = await ctx.store.console.session(sha256Hex(token), ctx.clock.now());
  if (session === undefined || session.adminDigest === null) return undefined;
  const current = await adminTokenDigest(ctx.store, ctx.config);
  return current !== undefined && sameDigest(session.adminDigest, current) ? session : undefined;
}

/** Signs out: the stored session is deleted and the cookie cleared. */
export async function endSession(ctx: GatewayContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = cookieToken(request);
  if (token !== undefined) await ctx.store.console.deleteSession(sha256Hex(token));
  reply.header('set-cookie', cookie(ctx, request, '', 0));
}

/** Constant-time check of a form's CSRF token against its session's. */
export function csrfMatches(session: ConsoleSession, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
