import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAdminToken } from '../../auth/admin-token.js';
import { AppAdmin, type AppPatch, type NewApp, type NewShortCode } from '../../auth/apps.js';
import { retryAfterSeconds } from '../../auth/failed-attempts.js';
import type { GatewayContext } from '../../context.js';
import { ApiError, OperatorError } from '../../errors.js';
import { jsonBodiesOnly, parseJsonBody } from '../representation.js';
import { listenerUrlGuard } from '../../webhooks/admin-guard.js';

// Plain JSON Schema rather than typebox unions: with ajv's `coerceTypes`, an `anyOf` of string and
// null would coerce null to "", while a type list leaves a value that already matches alone.
const nullableUrl = { type: ['string', 'null'], maxLength: 2048 } as const;
const nullableRate = { type: ['integer', 'null'] } as const;
// A lone string ("SMS" or "SMS,MMS") is coerced to a one-item array and split later.
const scopes = { type: 'array', items: { type: 'string' } } as const;

const createAppBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    scopes,
    realm: { type: 'string', enum: ['sandbox', 'production'] },
    deliveryStatusUrl: nullableUrl,
    ratePerSecond: nullableRate,
    ratePerDay: nullableRate,
  },
} as const;

const patchAppBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    scopes,
    suspended: { type: 'boolean' },
    deliveryStatusUrl: nullableUrl,
    ratePerSecond: nullableRate,
    ratePerDay: nullableRate,
  },
} as const;

const shortCodeBody = {
  type: 'object',
  required: ['shortCode'],
  additionalProperties: false,
  properties: {
    shortCode: { type: 'string' },
    moDelivery: { type: 'string', enum: ['poll', 'callback'] },
    listenerUrl: nullableUrl,
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const codeParams = {
  type: 'object',
  required: ['id', 'code'],
  properties: { id: { type: 'string' }, code: { type: 'string' } },
} as const;

interface BodySchema {
  readonly properties: Readonly<Record<string, { readonly type: string | readonly string[]; readonly items?: { readonly type: string } }>>;
}

/** A JSON value's type as a schema names it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * A `preValidation` hook refusing a JSON body field of the wrong type. The gateway's ajv coerces
 * types (for the API's `address`), which here stored `name: true` as "true", `scopes: 0` as
 * ["0"], `ratePerSecond: ""` as 0 and `suspended: null` as false. Form fields are all strings,
 * so a form body is left to the coercion; unknown fields and non-object bodies to the schema.
 */
function exactJsonTypes(schema: BodySchema) {
  return async function checkJsonTypes(request: FastifyRequest): Promise<void> {
    const body = request.body;
    if (!/json/i.test(request.headers['content-type'] ?? '') || body === null || typeof body !== 'object' || Array.isArray(body)) return;
    for (const [name, value] of Object.entries(body)) {
      const property = schema.properties[name];
      if (property === undefined) continue;
      const types = [property.type].flat();
      const items = property.items;
      // As `coerceTypes: 'array'` reads it, a lone item stands for an array of one (`"scopes":"SMS"`).
      const fits = types.includes(jsonType(value))
        ? !Array.isArray(value) || items === undefined || value.every((item) => jsonType(item) === items.type)
        : types.includes('array') && items !== undefined && jsonType(value) === items.type;
      if (!fits) throw new OperatorError(400, 'invalid_request', `body/${name} must be ${types.join(' or ')}${items === undefined ? '' : ` (of ${items.type})`}`);
    }
  };
}

interface IdParams {
  id: string;
}

/** The bearer token of an admin request, or undefined. */
function bearer(request: FastifyRequest): string | undefined {
  return /^\s*bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
}

/**
 * Admin authentication as a fastify `onRequest` hook: `Authorization: Bearer <admin token>` or
 * 401 `unauthorized` with `WWW-Authenticate`; an address past its failed checks gets 429
 * `too_many_requests` with `Retry-After`. Every /admin/v1 plugin registers it.
 *
 * A request without a bearer token guesses nothing and is not counted: any web page can make a
 * browser send such requests (`<img src=…/admin/v1/apps>`), and counting them let a page lock the
 * operator's own address out.
 *
 * @example app.addHook('onRequest', adminAuth(ctx))
 */
export function adminAuth(ctx: GatewayContext) {
  const unauthorized = (reply: FastifyReply): OperatorError => {
    reply.header('www-authenticate', 'Bearer realm="switchboard-admin"');
    return new OperatorError(401, 'unauthorized', 'a valid admin token is required (Authorization: Bearer <token>)');
  };
  return async function authenticateAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearer(request);
    if (token === undefined) throw unauthorized(reply);
    const { wait, ok } = await ctx.authFailures.adminToken.check(request.ip, '', () => isAdminToken(ctx.store, ctx.config, token));
    if (wait > 0) {
      const seconds = retryAfterSeconds(wait);
      reply.header('retry-after', String(seconds));
      throw new OperatorError(429, 'too_many_requests', `too many failed admin token checks from this address; retry in ${seconds} s`);
    }
    if (!ok) throw unauthorized(reply);
  };
}

/**
 * The admin API `/admin/v1` (design.md §3): apps, secret rotation, short codes and their MO
 * delivery, suspension and throttles. Every request carries `Authorization: Bearer <admin token>`.
 * Errors are `{"error":{"code","message"}}` with 400, 401, 404 or 409.
 */
export async function adminRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  const admin = new AppAdmin(ctx);

  // The admin API speaks JSON only; a malformed body is an operator error, not an API envelope.
  jsonBodiesOnly(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err instanceof ApiError ? new OperatorError(400, 'invalid_request', 'malformed JSON body') : (err as Error), undefined);
    }
  });

  app.addHook('onRequest', adminAuth(ctx));

  // Listener URLs that would make the gateway call its own port are refused (webhooks area).
  app.addHook('preHandler', listenerUrlGuard(ctx));

  app.post<{ Body: NewApp }>('/admin/v1/apps', { schema: { body: createAppBody }, preValidation: exactJsonTypes(createAppBody) }, async (request, reply) => {
    return reply.code(201).send(await admin.createApp(request.body));
  });

  app.get('/admin/v1/apps', async () => ({ apps: await admin.listApps() }));

  app.get<{ Params: IdParams }>('/admin/v1/apps/:id', { schema: { params: idParams } }, async (request) => admin.getApp(request.params.id));

  app.patch<{ Params: IdParams; Body: AppPatch }>('/admin/v1/apps/:id', { schema: { params: idParams, body: patchAppBody }, preValidation: exactJsonTypes(patchAppBody) }, async (request) =>
    admin.updateApp(request.params.id, request.body),
  );

  app.delete<{ Params: IdParams }>('/admin/v1/apps/:id', { schema: { params: idParams } }, async (request, reply) => {
    await admin.deleteApp(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams }>('/admin/v1/apps/:id/secret', { schema: { params: idParams } }, async (request) =>
    admin.rotateSecret(request.params.id),
  );

  app.post<{ Params: IdParams; Body: NewShortCode }>(
    '/admin/v1/apps/:id/short-codes',
    { schema: { params: idParams, body: shortCodeBody }, preValidation: exactJsonTypes(shortCodeBody) },
    async (request, reply) => reply.code(201).send(await admin.addShortCode(request.params.id, request.body)),
  );

  app.get<{ Params: IdParams }>('/admin/v1/apps/:id/short-codes', { schema: { params: idParams } }, async (request) => ({
    shortCodes: await admin.listShortCodes(request.params.id),
  }));

  app.delete<{ Params: IdParams & { code: string } }>(
    '/admin/v1/apps/:id/short-codes/:code',
    { schema: { params: codeParams } },
    async (request, reply) => {
      await admin.removeShortCode(request.params.id, request.params.code);
      return reply.code(204).send();
    },
  );
}
