import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SafeHtml } from './html.js';

/**
 * The header assets/console.js sends with every live-update poll. A poll is told from a page load
 * by it alone, whatever its URL (`?fragment=list`, `/handsets/{n}/thread`): signed out, a poll is
 * answered 401 — the script then reloads the page, which goes to sign-in — not redirected to the
 * sign-in page, which the script would paste into the page and sign-in would return to.
 */
export const LIVE_POLL_HEADER = 'x-console-live';

export function isLivePoll(request: FastifyRequest): boolean {
  return request.headers[LIVE_POLL_HEADER] !== undefined;
}

/**
 * Answers a live-update poll (assets/console.js) with a page fragment. The ETag is the fragment's
 * hash, so an unchanged fragment costs a 304 and the browser leaves the page alone.
 */
export function sendLive(request: FastifyRequest, reply: FastifyReply, fragment: SafeHtml): FastifyReply {
  const etag = `"${createHash('sha1').update(fragment.value).digest('base64url')}"`;
  reply.header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.code(200).type('text/html; charset=utf-8').send(fragment.value);
}
