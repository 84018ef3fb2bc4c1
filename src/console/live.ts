import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SafeHtml } from './html.js';

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
