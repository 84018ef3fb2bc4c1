import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * One access line per request, written when it is answered: method, URL (token masked by the
 * logger's `req` serializer), status and time. Fastify's own request logging writes two lines
 * per request (on arrival and on answer); the answer's line says everything the arrival's did.
 */
export const accessLog = fp(async (app: FastifyInstance) => {
  // The line carries only the fields named here, none of them a header or a body, so the
  // logger's redaction (≈ 15 µs a line with its wildcard paths, on every API request) is not
  // needed for it; every other line keeps it.
  const access = app.log.child({}, { redact: [] });
  app.addHook('onResponse', async (request, reply) => {
    access.info({ reqId: request.id, req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
  });
});
