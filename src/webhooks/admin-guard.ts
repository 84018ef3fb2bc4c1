import type { FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.js';
import { OperatorError } from '../errors.js';

/** Admin body fields that name a URL the gateway will POST to. */
const URL_FIELDS = ['deliveryStatusUrl', 'listenerUrl'] as const;

/**
 * A preHandler for the admin routes that register listener URLs (app create/patch, short-code
 * add): refuses, with 400 invalid_request, a URL the notification engine would not call — above
 * all one pointing at the gateway's own port (see listener-url.ts). The realm is the body's on
 * create, else the app's; an unknown app is left for the route to answer 404.
 */
export function listenerUrlGuard(ctx: GatewayContext) {
  return async function guardListenerUrls(request: FastifyRequest): Promise<void> {
    const body = request.body;
    if (body === null || typeof body !== 'object') return;
    const record = body as Record<string, unknown>;
    const urls = URL_FIELDS.filter((name) => typeof record[name] === 'string');
    if (urls.length === 0) return;
    const appId = (request.params as Record<string, unknown> | undefined)?.id;
    let realm = typeof record.realm === 'string' ? record.realm : 'sandbox';
    if (typeof appId === 'string') {
      const app = await ctx.store.apps.get(appId);
      if (app === undefined) return;
      realm = app.realm;
    }
    for (const name of urls) {
      const verdict = ctx.webhooks.checkListenerUrl(record[name], realm);
      if (!verdict.ok) throw new OperatorError(400, 'invalid_request', `${name}: ${verdict.reason}`);
    }
  };
}
