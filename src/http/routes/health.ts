import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';

/** `GET /healthz`: 200 when the store answers and the network is up, 503 otherwise. */
export async function healthRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    let store = 'up';
    try {
      await ctx.store.ping();
    } catch {
      store = 'down';
    }
    const network = ctx.networkUp() ? 'up' : 'down';
    const ok = store === 'up' && network === 'up';
    // In smpp mode, each bind's state: the network is up while at least one link can submit.
    const smsc = ctx.smpp?.linkStates();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', store, network, engine: ctx.store.engine, ...(smsc ? { smsc } : {}) });
  });
}
