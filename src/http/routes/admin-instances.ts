import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { adminAuth } from './admin.js';

/**
 * `GET /admin/v1/instances` (admin token, JSON): the gateway processes on this database, live ones
 * first: `{"instances":[{id, host, pid, network, smsc, url, settings, startedAt, seenAt, live, self}]}`.
 */
export async function adminInstanceRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  app.addHook('onRequest', adminAuth(ctx));

  app.get('/admin/v1/instances', async () => {
    const list = (await ctx.instances?.list()) ?? [];
    return {
      instances: list.map((i) => ({ ...i, startedAt: new Date(i.startedAt).toISOString(), seenAt: new Date(i.seenAt).toISOString() })),
    };
  });
}
