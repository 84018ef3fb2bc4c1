import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isAdminToken } from '../auth/admin-token.js';
import { retryAfterSeconds } from '../auth/failed-attempts.js';
import type { GatewayContext } from '../context.js';
import { ApiError, OperatorError } from '../errors.js';
import { STORE_UNAVAILABLE_TEXT } from '../http/error-handler.js';
import { fromOwnOrigin } from '../http/same-origin.js';
import { packageFile } from '../package-files.js';
import { StoreUnavailableError } from '../store/store.js';
import { bindSession, consoleDeps, formValue, queryValue, safeNext, seeOther } from './context.js';
import { html } from './html.js';
import { errorAnswer, page, SECURITY_HEADERS } from './layout.js';
import { isLivePoll } from './live.js';
import { appPages } from './pages/apps.js';
import { handsetPages } from './pages/handsets.js';
import { messagePages } from './pages/messages.js';
import { networkPages } from './pages/network.js';
import { csrfMatches, endSession, findSession, startSession } from './session.js';

/* The assets live next to the sources and are not built: every form of the code serves them from there. */
const ASSETS = packageFile('src/console/assets/');

/** Routes anyone may reach: the sign-in page and the static assets. */
const PUBLIC = new Set(['/console/login', '/console/assets/*']);

function loginPage(error?: string, next?: string): string {
  return page({
    title: 'Sign in',
    error,
    body: html`<form method="post" action="/console/login" class="card form narrow">
      <p>Sign in with the gateway's admin token (SWITCHBOARD_ADMIN_TOKEN, or the one printed at first start).</p>
      <input type="hidden" name="next" value="${next ?? ''}">
      <label>Admin token <input type="password" name="token" required autocomplete="current-password" autofocus></label>
      <button type="submit">Sign in</button>
    </form>`,
  });
}

function foreignForm(): OperatorError {
  return new OperatorError(403, 'forbidden', 'This form is stale or did not come from the console: reload the page and try again.');
}

/**
 * The web console at /console (register with `prefix: '/console'`): server-rendered pages, no build
 * step, readable without JavaScript (one small script polls the live parts). Signed in with the
 * admin token into a server-side session; every POST carries the session's CSRF token and comes
 * from the console's own origin; every value is escaped by the `html` template.
 */
export async function consoleRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  const deps = consoleDeps(ctx);

  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== undefined && PUBLIC.has(request.routeOptions.url)) return;
    reply.header('cache-control', 'no-store');
    const session = await findSession(ctx, request);
    if (session === undefined) {
      if ((request.method === 'GET' || request.method === 'HEAD') && !isLivePoll(request)) {
        return seeOther(reply, `/console/login?next=${encodeURIComponent(request.url)}`);
      }
      throw new OperatorError(401, 'unauthorized', 'Your session has ended: sign in again.');
    }
    if (request.method === 'POST' && (!fromOwnOrigin(ctx.config, request) || !csrfMatches(session, formValue(request.body, '_csrf')))) throw foreignForm();
    bindSession(request, session);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // The store cannot be reached for now: a retryable 503, as the API answers, not the console's fault.
    if (error instanceof StoreUnavailableError) {
      const answer = errorAnswer(503, STORE_UNAVAILABLE_TEXT);
      return reply.code(503).header('retry-after', '1').headers(answer.headers).type(answer.type).send(answer.text);
    }
    // A body parser's ApiError (malformed XML, an unknown charset) is the client's mistake too.
    const known = error instanceof OperatorError ? error : error instanceof ApiError ? OperatorError.of(error) : undefined;
    const status = known !== undefined ? known.status : error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    // A client's mistake (a body too large, a forbidden asset path) is not the gateway's error.
    if (known === undefined && status >= 500) request.log.error({ err: error }, 'console request failed');
    const message = known !== undefined ? known.message : status < 500 ? error.message : 'Something went wrong; the log says what.';
    // With its own headers: an error in a hook before the console's (the stop's 503) skips them.
    const answer = errorAnswer(status, message);
    if (error instanceof ApiError) reply.headers(error.headers);
    return reply.code(status).headers(answer.headers).type(answer.type).send(answer.text);
  });

  app.setNotFoundHandler((_request, reply) => {
    const body = page({ title: 'Not found', body: html`<p>No such console page. <a href="/console/apps">Back to the console</a></p>` });
    return reply.code(404).type('text/html; charset=utf-8').send(body);
  });

  await app.register(fastifyStatic, { root: ASSETS, prefix: '/assets/', decorateReply: false, index: false, schemaHide: true, maxAge: '1h' });

  app.get('/', async (_request, reply) => seeOther(reply, '/console/apps'));

  app.get('/login', async (request, reply) => {
    if ((await findSession(ctx, request)) !== undefined) return seeOther(reply, safeNext(queryValue(request.query, 'next')));
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(loginPage(undefined, queryValue(request.query, 'next')));
  });

  app.post('/login', async (request, reply: FastifyReply) => {
    const token = formValue(request.body, 'token') ?? '';
    const next = formValue(request.body, 'next');
    // Neither guesses the token, so neither is counted: another site's page can post this form,
    // and counting its posts let it lock the operator's address out.
    if (!fromOwnOrigin(ctx.config, request)) throw foreignForm();
    if (token === '') return reply.code(401).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(loginPage('Enter the admin token.', next));
    const { wait, ok } = await ctx.authFailures.adminToken.check(request.ip, '', () => isAdminToken(ctx.store, ctx.config, token));
    if (wait > 0) {
      const seconds = retryAfterSeconds(wait);
      const body = loginPage(`Too many failed sign-ins from this address; try again in ${seconds} s.`, next);
      return reply.code(429).header('retry-after', String(seconds)).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
    }
    if (!ok) {
      return reply.code(401).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(loginPage('That is not the admin token.', next));
    }
    await startSession(ctx, request, reply);
    return seeOther(reply, safeNext(next));
  });

  app.post('/logout', async (request, reply) => {
    await endSession(ctx, request, reply);
    return seeOther(reply, '/console/login');
  });

  await appPages(app, deps);
  await messagePages(app, deps);
  if (ctx.outbound.simulator !== undefined) await handsetPages(app, deps, ctx.outbound.simulator);
  await networkPages(app, deps);
}
