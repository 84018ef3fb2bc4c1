import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.js';
import { OperatorError } from '../errors.js';
import type { ConsoleSession } from '../store/repos/console.js';
import { page, type PageOptions } from './layout.js';

const sessions = new WeakMap<FastifyRequest, ConsoleSession>();

/** Remembers the request's session (set by the console's auth hook). */
export function bindSession(request: FastifyRequest, session: ConsoleSession): void {
  sessions.set(request, session);
}

/** The signed-in session of a console request; the auth hook guarantees one on every non-public route. */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  const session = sessions.get(request);
  if (session === undefined) throw new OperatorError(401, 'unauthorized', 'sign in first');
  return session;
}

/** One value of a form field: the first when repeated, trimmed; undefined when absent. */
export function formValue(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const raw = (body as Record<string, unknown>)[name];
  const value = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * A yes/no form field: `true` or `false` (any case); undefined when absent. Any other value, empty
 * included, is refused (400, its message for the page), never read as false: a switch posted as
 * `on` or `1` would otherwise do the opposite of what was meant.
 */
export function formFlag(body: unknown, name: string): boolean | undefined {
  const value = formValue(body, name);
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  throw new OperatorError(400, 'invalid_request', `${name} must be true or false.`);
}

/** One query parameter, empty → undefined. */
export function queryValue(query: unknown, name: string): string | undefined {
  const value = formValue(query, name);
  return value === '' ? undefined : value;
}

/** What every page handler needs: the gateway, and a way to answer with a whole page. */
export interface ConsoleDeps {
  readonly ctx: GatewayContext;
  /** Sends a page of the signed-in console (navigation, CSRF token for sign-out) with `status`. */
  send(request: FastifyRequest, reply: FastifyReply, options: Omit<PageOptions, 'csrf' | 'simulator'>, status?: number): FastifyReply;
}

export function consoleDeps(ctx: GatewayContext): ConsoleDeps {
  return {
    ctx,
    send(request, reply, options, status = 200) {
      const body = page({ ...options, csrf: sessionOf(request).csrfToken, simulator: ctx.outbound.simulator !== undefined });
      return reply.code(status).type('text/html; charset=utf-8').send(body);
    },
  };
}

/** A `.` or `..` path segment, as a browser reads one (`%2e` is a dot too). */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=[/?#]|$)/i;

/**
 * A console page to send the browser to, from a value a form or query carried (sign-in's `next`,
 * a replay's `back`): only a path under /console, redirected to as it is, else `fallback`.
 */
export function safeNext(next: string | undefined, fallback = '/console/apps'): string {
  // Printable ASCII only (no space or backslash): it goes into a Location header as it is. No dot
  // segment: `/console/..//evil.example/` is no console page (and once normalised, `//evil.example/`).
  return next !== undefined && /^\/console(\/[\x21-\x5b\x5d-\x7e]*)?$/.test(next) && !DOT_SEGMENT.test(next) ? next : fallback;
}

/** Post/redirect/get: after a change, the browser loads the page again with GET (303). */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}
