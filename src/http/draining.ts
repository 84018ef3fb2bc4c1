import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

/**
 * While the gateway stops (SIGTERM), a request that still arrives on a kept-alive connection is
 * answered 503 SVC1000 with `Retry-After`, in its path's envelope and representation, as during a
 * store outage: fastify's own answer (`return503OnClosing`) was a bare JSON body no AT&T or
 * OneAPI client reads, without `Retry-After`.
 */
export const draining = fp(async function draining(app: FastifyInstance): Promise<void> {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook: on every request, where an async one would cost a promise each.
  app.addHook('onRequest', (_request, _reply, done) => {
    done(closing ? new ApiError('SVC1000', [], { headers: { 'retry-after': '1', connection: 'close' } }) : undefined);
  });
});
