import type { Server as HttpsServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import { AccessLog } from './access-log.js';
import { clientErrorHandler, earlyAnswers } from './client-error.js';
import { errorHandler, sendApiError } from './error-handler.js';
import { draining } from './draining.js';
import { notFound } from './not-found.js';
import { flavourOf, representation } from './representation.js';
import { storableInput } from './storable-input.js';
import { metricsHttp } from '../metrics/http.js';
import { openapi } from './openapi.js';
import { answerPlainHttp, HANDSHAKE_TIMEOUT_MS } from './plain-http.js';
import { consoleRoutes } from '../console/plugin.js';
import { healthRoutes } from './routes/health.js';
import { adminRoutes } from './routes/admin.js';
import { oauthRoutes } from './routes/oauth.js';
import { attOutboxRoutes } from './routes/att-outbox.js';
import { oneapiOutboundRoutes } from './routes/oneapi-outbound.js';
import { simRoutes } from './routes/sim.js';
import { attInboxRoutes } from './routes/att-inbox.js';
import { oneapiInboundRoutes } from './routes/oneapi-inbound.js';
import { oneapiSubscriptionRoutes } from './routes/oneapi-subscriptions.js';
import { adminDeadLetterRoutes } from './routes/admin-dead-letters.js';
import { adminSmppRoutes } from './routes/admin-smpp.js';
import { adminInstanceRoutes } from './routes/admin-instances.js';

/** Builds the HTTP surface: representation and error plugins first, then one plugin per surface. */
export async function buildHttpApp(ctx: GatewayContext): Promise<FastifyInstance> {
  const app = createFastify(ctx);
  // First, so that every request is counted, whichever route (or none) it reaches.
  ctx.requests?.watch(app);
  await app.register(notFound);
  await app.register(errorHandler);
  await app.register(representation);
  await app.register(storableInput);
  await app.register(draining);
  await app.register(earlyAnswers);
  // Before the route plugins (and /metrics): the document is built from the routes as they register.
  await app.register(openapi, { ctx });
  if (ctx.metrics !== undefined) await app.register(metricsHttp, { metrics: ctx.metrics });
  await app.register(healthRoutes, { ctx });
  await app.register(oauthRoutes, { ctx });
  await app.register(adminRoutes, { ctx });
  await app.register(attOutboxRoutes, { ctx });
  await app.register(oneapiOutboundRoutes, { ctx });
  await app.register(simRoutes, { ctx });
  await app.register(attInboxRoutes, { ctx });
  await app.register(oneapiInboundRoutes, { ctx });
  await app.register(oneapiSubscriptionRoutes, { ctx });
  await app.register(adminDeadLetterRoutes, { ctx });
  await app.register(adminSmppRoutes, { ctx });
  await app.register(adminInstanceRoutes, { ctx });
  await app.register(consoleRoutes, { ctx, prefix: '/console' });
  return app;
}

/** A hop count as the function fastify makes of one (its types take no number). */
function trustProxy(setting: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

export function createFastify(ctx: Pick<GatewayContext, 'config' | 'log' | 'metrics'>): FastifyInstance {
  // Node enforces the request timeout only with a headers timeout no longer than it (its own is
  // 60 s), and checks every interval, not to the millisecond.
  const server = {
    headersTimeout: Math.min(60_000, ctx.config.requestTimeoutMs),
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(ctx.config.requestTimeoutMs / 4))),
  };
  const tls = ctx.config.tls;
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Requests that come while the gateway stops are answered by the draining plugin instead.
    return503OnClosing: false,
    // The client's address (access log, failed-credential counts) as a trusted proxy saw it.
    trustProxy: trustProxy(ctx.config.trustProxy),
    // Without it a client that never finishes its body holds a connection, and the graceful stop,
    // for ever (fastify's default is no limit).
    requestTimeout: ctx.config.requestTimeoutMs,
    http: server,
    ...(tls === undefined ? {} : { https: { ...server, handshakeTimeout: HANDSHAKE_TIMEOUT_MS, cert: tls.cert, key: tls.key } }),
    logController: new AccessLog(ctx.log),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // A path the router cannot read (a broken %-escape, a path segment over 100 characters) is
    // answered before any route or error handler: in the path's envelope, not fastify's own body.
    // No onResponse hook runs for it either, so it is counted here.
    frameworkErrors: (error, request, reply) => {
      const started = performance.now();
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const description = status === 414 ? 'request target too long' : 'malformed request target';
      void sendApiError(request, reply, flavourOf(request.url), new ApiError('SVC0002', ['URI'], { status, description }));
      ctx.metrics?.httpAnswered(request.method, undefined, reply.statusCode, (performance.now() - started) / 1000);
    },
    // A request Node's parser refuses never reaches the hooks above: answered in its envelope too.
    clientErrorHandler: clientErrorHandler(ctx.log, ctx.metrics),
    // `address: "tel:…"` and `address: [...]` must validate the same way.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  });
  // With SWITCHBOARD_TLS_CERT fastify built an https.Server; its types do not say so.
  if (tls !== undefined) answerPlainHttp(app.server as unknown as HttpsServer, { config: ctx.config, log: ctx.log, metrics: ctx.metrics, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
  return app;
}
