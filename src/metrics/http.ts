import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { GatewayMetrics } from './metrics.js';

/**
 * Counts and times every HTTP request by its route pattern (`/sms/v3/messaging/outbox/:messageId`,
 * never the raw URL, so ids do not explode the label set), and serves `GET /metrics` in the
 * Prometheus text format. Registered before the route plugins so its hook sees them all.
 */
export const metricsHttp = fp(async (app: FastifyInstance, { metrics }: { metrics: GatewayMetrics }) => {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpAnswered(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
});
