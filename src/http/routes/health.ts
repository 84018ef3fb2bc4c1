import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';

/**
 * `GET /healthz`: 200 when the store answers and the network is up, 503 otherwise. In smpp mode
 * with no bind able to receive (a transmitter up, every receiver down), 200 `degraded`: sends go
 * out, but no receipt or MO can come in.
 */
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
    const receiving = smsc === undefined || smsc.some((l) => l.receiverBound);
    return reply.code(ok ? 200 : 503).send({ status: ok && receiving ? 'ok' : 'degraded', store, network, engine: ctx.store.engine, ...(smsc ? { smsc } : {}) });
  });
}
