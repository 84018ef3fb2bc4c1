import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';
import { flavourOf, routePath } from './representation.js';
import { sendApiError } from './error-handler.js';

interface KnownRoute {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
}

function patternOf(url: string): RegExp {
  const body = url
    .replace(/\/+$/, '')
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}/?$`);
}

/**
 * Route options for a GET that hands out and removes what it reads (an inbox batch, a final
 * delivery status): no automatic HEAD, which would run the GET's handler and consume it unseen.
 * HEAD there answers 405 with `Allow: GET`.
 */
export const CONSUMING_READ = { exposeHeadRoute: false } as const;

/**
 * Unknown paths answer 404 and known paths with a wrong method 405 (with `Allow`), both in the
 * envelope of the path's flavour. Fastify itself only knows 404, so the routes are remembered as
 * they are registered.
 */
export const notFound = fp(async (app: FastifyInstance) => {
  const routes: KnownRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ methods, pattern: patternOf(route.url) });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = routePath(request.url);
    const allowed = new Set<string>();
    for (const route of routes) if (route.pattern.test(path)) route.methods.forEach((m) => allowed.add(m));
    const flavour = flavourOf(path);
    if (allowed.size > 0) {
      reply.header('allow', [...allowed].join(', '));
      if (flavour === 'operator' || flavour === 'oauth') {
        return reply.code(405).send(flavour === 'oauth'
          ? { error: 'invalid_request', error_description: `method ${request.method} not allowed` }
          : { error: { code: 'method_not_allowed', message: `method ${request.method} not allowed on ${path}` } });
      }
      return sendApiError(request, reply, flavour, new ApiError('SVC0002', ['Method'], { status: 405 }));
    }
    if (flavour === 'operator' || flavour === 'oauth') {
      return reply.code(404).send(flavour === 'oauth'
        ? { error: 'invalid_request', error_description: `no such endpoint ${path}` }
        : { error: { code: 'not_found', message: `no such path ${path}` } });
    }
    return sendApiError(request, reply, flavour, new ApiError('SVC0002', ['URI'], { status: 404 }));
  });
});
