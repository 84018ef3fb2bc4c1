import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { OperatorError } from '../../errors.js';
import type { DeadLetter } from '../../store/repos/notifications.js';
import type { UnroutedMo } from '../../store/repos/inbox.js';
import { listLimit } from '../list-limit.js';
import { jsonBodiesOnly } from '../representation.js';
import { adminAuth } from './admin.js';

const DEFAULT_LIMIT = 100;

function deadLetterView(d: DeadLetter): Record<string, unknown> {
  return {
    id: d.id,
    kind: d.kind,
    url: d.url,
    shortCode: d.shortCode,
    attempts: d.attempts,
    lastError: d.lastError,
    createdAt: new Date(d.createdAt).toISOString(),
    contentType: d.contentType,
    body: d.body,
  };
}

function unroutedView(u: UnroutedMo): Record<string, unknown> {
  return {
    id: u.id,
    shortCode: u.shortCode,
    senderAddress: `tel:${u.sender}`,
    message: u.text,
    reason: u.reason,
    receivedAt: new Date(u.receivedAt).toISOString(),
  };
}

/**
 * Operator views of what the gateway could not deliver (admin token, JSON):
 * - `GET /admin/v1/apps/{id}/dead-letters[?limit=N]` → `{"deadLetters":[{id, kind: "mo"|"dlr", url,
 *   shortCode, attempts, lastError, createdAt, contentType, body}]}`: notifications whose retry
 *   window ended without a 2xx, oldest first; `id` is their X-Switchboard-Event-Id.
 * - `POST /admin/v1/apps/{id}/dead-letters/{eventId}/replay` → 202 `{"id","url","state":"pending"}`:
 *   sent again with a fresh retry window (to the short code's or app's current URL); an MO whose
 *   short code polls now → 202 `{"id","url":null,"state":"inbox"}`, in the inbox.
 * - `POST /admin/v1/apps/{id}/dead-letters/replay[?limit=N]` → 202 `{"replayed":[{"id","url","state"}]}`:
 *   the oldest N (default 100, at most 1000) replayed the same way, after a listener is mended.
 * - `GET /admin/v1/unrouted[?limit=N]` → `{"unrouted":[{id, shortCode, senderAddress, message,
 *   reason: "unknown-short-code"|"incomplete", receivedAt}]}`: MO messages no app could take, newest first.
 */
export async function adminDeadLetterRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  app.addHook('onRequest', adminAuth(ctx));
  jsonBodiesOnly(app);

  const appOrThrow = async (id: string) => {
    if ((await ctx.store.apps.get(id)) === undefined) throw new OperatorError(404, 'not_found', `no app ${id}`);
  };

  app.get<{ Params: { id: string } }>('/admin/v1/apps/:id/dead-letters', async (request) => {
    const limit = listLimit(request.query, DEFAULT_LIMIT);
    await appOrThrow(request.params.id);
    return { deadLetters: (await ctx.webhooks.deadLetters(request.params.id, limit)).map(deadLetterView) };
  });

  app.post<{ Params: { id: string; eventId: string } }>('/admin/v1/apps/:id/dead-letters/:eventId/replay', async (request, reply) => {
    await appOrThrow(request.params.id);
    const replayed = await ctx.webhooks.replay(request.params.id, request.params.eventId);
    if (replayed === undefined) throw new OperatorError(404, 'not_found', `app ${request.params.id} has no dead letter ${request.params.eventId}`);
    return reply.code(202).send(replayed);
  });

  app.post<{ Params: { id: string } }>('/admin/v1/apps/:id/dead-letters/replay', async (request, reply) => {
    const limit = listLimit(request.query, DEFAULT_LIMIT);
    await appOrThrow(request.params.id);
    const replayed = [];
    for (const dead of await ctx.webhooks.deadLetters(request.params.id, limit)) {
      const again = await ctx.webhooks.replay(request.params.id, dead.id);
      if (again !== undefined) replayed.push(again);
    }
    return reply.code(202).send({ replayed });
  });

  app.get('/admin/v1/unrouted', async (request) => ({ unrouted: (await ctx.store.inbox.unrouted(listLimit(request.query, DEFAULT_LIMIT))).map(unroutedView) }));
}
