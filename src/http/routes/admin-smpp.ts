import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { adminAuth } from './admin.js';

/**
 * `GET /admin/v1/smsc-links` (admin token, JSON): the SMPP side of the gateway.
 *
 * In `smpp` mode: `{"network":"smpp","smsc":"host:port","tls":false,"defaultAlphabet":"gsm","links":[{name, mode, bound, receiverBound,
 * windowSize, windowInUse, queued, submitted, refused, throttled, receipts, mo, deliverSm,
 * reconnects, responseTimeouts, pausedUntil, lastError}], "receipts":{received, matched,
 * matchedLate, finals, settledByGrace, settledUncertain, held, unmatched, unreadable}, "mo": n}` —
 * one link per bind (SWITCHBOARD_SMPP_BINDS). On the simulated network `links` is empty, and
 * `simulatorSmsc` shows the SMPP face when SWITCHBOARD_SIM_SMPP_PORT is set: `{port,
 * binds:[{systemId, type, peer}], submits, messages, deliverSmSent, faults}`.
 */
export async function adminSmppRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  app.addHook('onRequest', adminAuth(ctx));

  app.get('/admin/v1/smsc-links', async () => {
    const simulatorSmsc = ctx.simSmsc?.stats();
    if (ctx.smpp === undefined) return { network: ctx.config.network, links: [], ...(simulatorSmsc ? { simulatorSmsc } : {}) };
    const report = await ctx.smpp.report();
    return {
      network: 'smpp',
      ...report,
      links: report.links.map((l) => ({ ...l, pausedUntil: l.pausedUntil === null ? null : new Date(l.pausedUntil).toISOString() })),
      ...(simulatorSmsc ? { simulatorSmsc } : {}),
    };
  });
}
