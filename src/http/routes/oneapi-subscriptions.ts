import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { parseShortCode } from '../../sms/address.js';
import type { SubscriptionKind, SubscriptionRecord } from '../../store/repos/subscriptions.js';
import { apiAuth } from '../api-auth.js';
import { publicBase } from '../public-url.js';
import { field, sendRepresentation, setLocation } from '../representation.js';
import { ONEAPI_VERSIONS } from './oneapi-inbound.js';
import { checkCorrelator } from './send-body.js';

/** One scalar from a value that may be a repeated form key or a one-element XML list. */
function scalar(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? (v as unknown[])[0] : v;
}

/** An optional text field: absent or empty → null; numbers as their digits; anything else → SVC0002. */
function text(v: unknown, name: string): string | null {
  const s = scalar(v);
  if (s === undefined || s === null) return null;
  if (typeof s === 'number') return String(s);
  if (typeof s !== 'string') throw new ApiError('SVC0002', [name]);
  const trimmed = s.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * The fields of a subscription request in any representation: the JSON wrapper
 * (`deliveryReceiptSubscription` / `subscription`) with a nested `callbackReference`, the same as
 * XML elements, or the flat form keys of OneAPI v1 (`notifyURL`, `callbackData`, `criteria`, …).
 */
function subscriptionFields(body: unknown, wrapper: string): (name: string, ...aliases: string[]) => unknown {
  const root = field(body, wrapper) ?? body;
  const callback = field(root, 'callbackReference');
  return (name, ...aliases) => field(callback, name, ...aliases) ?? field(root, name, ...aliases);
}

function newSubscriptionId(): string {
  return `sub${randomBytes(8).toString('hex')}`;
}

/** A delivery-receipt subscription's resource: its sender in the canonical `tel:` form, as Send SMS's request URL. */
function receiptSubscriptionUrl(base: string, v: string, sub: SubscriptionRecord): string {
  return `${base}/${v}/smsmessaging/outbound/${encodeURIComponent(`tel:${sub.shortCode}`)}/subscriptions/${sub.id}`;
}

function inboundSubscriptionUrl(base: string, v: string, sub: SubscriptionRecord): string {
  return `${base}/${v}/smsmessaging/inbound/subscriptions/${sub.id}`;
}

function callbackReference(sub: SubscriptionRecord): Record<string, string> {
  return sub.callbackData === null ? { notifyURL: sub.notifyUrl } : { notifyURL: sub.notifyUrl, callbackData: sub.callbackData };
}

/**
 * `deliveryReceiptSubscription` as its creation and GET answer it: only the two fields of the
 * contract, since the GSMA reference Java library's bean has no others and its JSON mapper fails on
 * any field it does not know (an echoed clientCorrelator did).
 */
function receiptSubscriptionBody(sub: SubscriptionRecord, url: string): Record<string, unknown> {
  return { deliveryReceiptSubscription: { callbackReference: callbackReference(sub), resourceURL: url } };
}

/** A repeat with the same clientCorrelator must be the same request (OneAPI: else SVC0005, 409). */
function sameRequest(a: SubscriptionRecord, b: SubscriptionRecord): boolean {
  return a.shortCode === b.shortCode && a.notifyUrl === b.notifyUrl && a.callbackData === b.callbackData && a.criteria === b.criteria && a.format === b.format;
}

/**
 * OneAPI subscriptions (contract §11). They feed the same notification engine as the AT&T
 * listeners: an inbound subscription on a short code sends its MO messages to `notifyURL` in the
 * OneAPI form (it takes precedence over the short code's poll or callback mode while it exists);
 * a delivery-receipt subscription on a sender makes OneAPI sends from it that carry no
 * `receiptRequest` report their final states to `notifyURL` with its `callbackData`.
 *
 * - `POST /{v}/smsmessaging/outbound/{senderAddress}/subscriptions` → 201 + Location,
 *   `{"deliveryReceiptSubscription":{"callbackReference":{…},"resourceURL":"…"}}`
 * - `DELETE /{v}/smsmessaging/outbound/subscriptions/{id}` and `…/outbound/{senderAddress}/subscriptions/{id}` → 204
 * - `POST /{v}/smsmessaging/inbound/subscriptions` → 201 + Location, `{"resourceReference":{"resourceURL":"…"}}`
 * - `DELETE /{v}/smsmessaging/inbound/subscriptions/{id}` → 204
 * - `GET` on each subscription's path (OMA REST NetAPI ShortMessaging's individual subscription):
 *   the delivery-receipt one as its creation answered it; the inbound one as
 *   `{"subscription":{"callbackReference":{…},"destinationAddress":"…","criteria":"…",
 *   "notificationFormat":"JSON","clientCorrelator":"…","resourceURL":"…"}}`
 *
 * Refusals: sender or destinationAddress not a short code → SVC0004 / SVC0002; a short code the
 * app does not hold → 403 POL0002 (sender, as Send SMS) / 400 SVC0002 (destinationAddress, as Get
 * SMS); notifyURL missing or not allowed (see webhooks/listener-url.ts) → SVC0002 `notifyURL`;
 * notificationFormat other than JSON/XML → SVC0003; a clientCorrelator reused for a different
 * subscription → 409 SVC0005; an unknown subscription id, or another app's → 400 SVC0002
 * `subscriptionId` (alike, so that no app learns another's ids).
 */
export async function oneapiSubscriptionRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  const auth = { onRequest: apiAuth(ctx) };

  const notifyUrlOf = (request: FastifyRequest, get: (name: string) => unknown): string => {
    const verdict = ctx.webhooks.checkListenerUrl(text(get('notifyURL'), 'notifyURL'), request.apiClient.realm);
    if (!verdict.ok) throw new ApiError('SVC0002', ['notifyURL']);
    return verdict.url;
  };

  // Both kinds are created here: the one place their clientCorrelator is checked.
  const store = async (record: SubscriptionRecord): Promise<SubscriptionRecord> => {
    checkCorrelator(record.clientCorrelator);
    const { created, subscription } = await ctx.store.subscriptions.create(record);
    if (!created && !sameRequest(subscription, record)) throw new ApiError('SVC0005', [record.clientCorrelator ?? '', 'clientCorrelator']);
    return subscription;
  };

  const find = async (request: FastifyRequest<{ Params: { id: string } }>, kind: SubscriptionKind): Promise<SubscriptionRecord> => {
    const sub = await ctx.store.subscriptions.get(request.params.id);
    if (sub === undefined || sub.appId !== request.apiClient.appId || sub.kind !== kind) throw new ApiError('SVC0002', ['subscriptionId']);
    return sub;
  };

  const remove = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, kind: SubscriptionKind) => {
    if (!(await ctx.store.subscriptions.delete(request.apiClient.appId, kind, request.params.id))) throw new ApiError('SVC0002', ['subscriptionId']);
    return reply.code(204).send();
  };

  for (const v of ONEAPI_VERSIONS) {
    app.post<{ Params: { senderAddress: string } }>(`/${v}/smsmessaging/outbound/:senderAddress/subscriptions`, auth, async (request, reply) => {
      const appId = request.apiClient.appId;
      const code = parseShortCode(request.params.senderAddress);
      if (code === null) throw new ApiError('SVC0004', ['senderAddress']);
      const owner = await ctx.store.shortCodes.get(code);
      if (owner?.appId !== appId) throw new ApiError('POL0002', [request.params.senderAddress]);
      const get = subscriptionFields(request.body, 'deliveryReceiptSubscription');
      const sub = await store({
        id: newSubscriptionId(),
        appId,
        kind: 'delivery-receipt',
        shortCode: code,
        notifyUrl: notifyUrlOf(request, get),
        callbackData: text(get('callbackData'), 'callbackData'),
        criteria: text(get('filterCriteria', 'criteria'), 'filterCriteria'),
        format: 'JSON',
        clientCorrelator: text(get('clientCorrelator'), 'clientCorrelator'),
        apiVersion: v,
        createdAt: ctx.clock.now(),
      });
      const url = receiptSubscriptionUrl(publicBase(ctx.config, request), v, sub);
      setLocation(reply, url);
      return sendRepresentation(request, reply, 201, receiptSubscriptionBody(sub, url));
    });

    // Both path forms, as DELETE; the sender in the path is not checked (clients spell it in many ways).
    const readReceipts = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const sub = await find(request, 'delivery-receipt');
      return sendRepresentation(request, reply, 200, receiptSubscriptionBody(sub, receiptSubscriptionUrl(publicBase(ctx.config, request), v, sub)));
    };
    const removeReceipts = (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => remove(request, reply, 'delivery-receipt');
    for (const path of [`/${v}/smsmessaging/outbound/subscriptions/:id`, `/${v}/smsmessaging/outbound/:senderAddress/subscriptions/:id`]) {
      app.get<{ Params: { id: string } }>(path, auth, readReceipts);
      app.delete<{ Params: { id: string } }>(path, auth, removeReceipts);
    }

    app.post(`/${v}/smsmessaging/inbound/subscriptions`, auth, async (request, reply) => {
      const appId = request.apiClient.appId;
      const get = subscriptionFields(request.body, 'subscription');
      const code = parseShortCode(text(get('destinationAddress'), 'destinationAddress') ?? '');
      if (code === null) throw new ApiError('SVC0002', ['destinationAddress']);
      const owner = await ctx.store.shortCodes.get(code);
      if (owner?.appId !== appId) throw new ApiError('SVC0002', ['destinationAddress']);
      const format = (text(get('notificationFormat'), 'notificationFormat') ?? 'JSON').toUpperCase();
      if (format !== 'JSON' && format !== 'XML') throw new ApiError('SVC0003', ['notificationFormat', 'JSON,XML']);
      const sub = await store({
        id: newSubscriptionId(),
        appId,
        kind: 'inbound',
        shortCode: code,
        notifyUrl: notifyUrlOf(request, get),
        callbackData: text(get('callbackData'), 'callbackData'),
        criteria: text(get('criteria'), 'criteria'),
        format,
        clientCorrelator: text(get('clientCorrelator'), 'clientCorrelator'),
        apiVersion: v,
        createdAt: ctx.clock.now(),
      });
      const url = inboundSubscriptionUrl(publicBase(ctx.config, request), v, sub);
      setLocation(reply, url);
      return sendRepresentation(request, reply, 201, { resourceReference: { resourceURL: url } });
    });

    app.get<{ Params: { id: string } }>(`/${v}/smsmessaging/inbound/subscriptions/:id`, auth, async (request, reply) => {
      const sub = await find(request, 'inbound');
      return sendRepresentation(request, reply, 200, {
        subscription: {
          callbackReference: callbackReference(sub),
          destinationAddress: sub.shortCode,
          ...(sub.criteria === null ? {} : { criteria: sub.criteria }),
          notificationFormat: sub.format,
          ...(sub.clientCorrelator === null ? {} : { clientCorrelator: sub.clientCorrelator }),
          resourceURL: inboundSubscriptionUrl(publicBase(ctx.config, request), v, sub),
        },
      });
    });
    app.delete<{ Params: { id: string } }>(`/${v}/smsmessaging/inbound/subscriptions/:id`, auth, (request, reply) => remove(request, reply, 'inbound'));
  }
}
