import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * One access line per request, written when it is answered: method, URL (token masked by the
 * logger's `req` serializer), status and time. Fastify's own request logging writes two lines
 * per request (on arrival and on answer), which cost the send path about as much as its own
 * validation; the answer's line says everything the arrival's did.
 */
export const accessLog = fp(async (app: FastifyInstance) => {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });
});
