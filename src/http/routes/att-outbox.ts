import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { recipientLabel } from '../../sms/ids.js';
import type { SendResult } from '../../sms/send.js';
import { readDeliveryStatus } from '../../sms/status.js';
import type { SendApi, StoredResponse } from '../../store/repos/messages.js';
import { apiAuth, type ApiClient } from '../api-auth.js';
import { CONSUMING_READ } from '../not-found.js';
import { publicBase } from '../public-url.js';
import { sendRepresentation, setLocation } from '../representation.js';
import { throttle } from '../throttle.js';
import { IDEMPOTENCY_KEY_MAX, parseAttSendBody } from './send-body.js';

/**
 * The `Idempotency-Key` header (beyond the original API): absent or blank → none. Over 255
 * characters → 400 SVC0002, so a key cannot grow the unique index without bound.
 */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const raw = request.headers['idempotency-key'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (value === undefined || value === '') return null;
  if (value.length > IDEMPOTENCY_KEY_MAX) throw new ApiError('SVC0002', ['Idempotency-Key']);
  return value;
}

/** Answers a Send SMS with the stored response (the same one on an idempotent repeat); `xmlRoot` as in toXml. */
export function replySent(request: FastifyRequest, reply: FastifyReply, result: SendResult, xmlRoot?: string): FastifyReply {
  const { response } = result;
  if (response.location !== null) setLocation(reply, response.location);
  if (!result.created) reply.header('idempotent-replayed', 'true');
  return sendRepresentation(request, reply, response.status, response.body, xmlRoot);
}

/**
 * The sender of an AT&T RESTful send: those APIs name no sender, so it is the app's first short
 * code. An app without one may not send (contract §3.1: 403 POL0002).
 */
function defaultSender(client: ApiClient): string {
  const first = client.shortCodes[0];
  if (first === undefined) throw new ApiError('POL0002');
  return first;
}

interface Generation {
  readonly api: Extract<SendApi, 'att-v3' | 'att-v2'>;
  readonly base: string;
  /** The Send SMS answer's status. */
  readonly created: 200 | 201;
  /** The Send SMS body: v3 `outboundSMSResponse`, v2 `Id` + `ResourceReference` (and `resourceReference`). */
  readonly body: (messageId: string, resourceUrl: string | null) => Record<string, unknown>;
  /** The XML root for a body that has none (v2, after the doc's "SMS Response Object"; no XML sample survives). */
  readonly xmlRoot?: string;
}

const GENERATIONS: readonly Generation[] = [
  {
    api: 'att-v3',
    base: '/sms/v3/messaging/outbox',
    created: 201,
    body: (messageId, resourceURL) => ({
      outboundSMSResponse: resourceURL === null ? { messageId } : { messageId, resourceReference: { resourceURL } },
    }),
  },
  {
    api: 'att-v2',
    base: '/rest/sms/2/messaging/outbox',
    // v2 clients written against the live API test for 200 (AT&T's own Node demos); every client
    // of §1.4 takes 200 as well as 201.
    created: 200,
    // The v2 doc's "Resource Reference Object" spells it `ResourceUrl`, and AT&T's WinRT SDK reads
    // only that spelling; the Worklight doc shows `ResourceURL`. Both, for either client. The doc's
    // "SMS Response Object" names the container `resourceReference` with `resourceURL` in it, so a
    // case-sensitive client of that table finds it too (in XML as in JSON: the same names).
    body: (Id, url) => (url === null ? { Id } : { Id, ResourceReference: { ResourceURL: url, ResourceUrl: url }, resourceReference: { resourceURL: url } }),
    xmlRoot: 'SmsResponse',
  },
];

/**
 * AT&T RESTful Send SMS and Get SMS Delivery Status, v3 (`/sms/v3/messaging/outbox`) and v2
 * (`/rest/sms/2/messaging/outbox`), contract §3 and §4.
 */
export async function attOutboxRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  const guard = { onRequest: [apiAuth(ctx), throttle(ctx)] };

  for (const gen of GENERATIONS) {
    app.post(gen.base, guard, async (request, reply) => {
      const client = request.apiClient;
      const appId = client.appId;
      const sender = defaultSender(client);
      const body = parseAttSendBody(request.body);
      const result = await ctx.outbound.outbox.send(
        {
          api: gen.api,
          appId,
          sender,
          address: body.address,
          message: body.message,
          receipt: body.notifyDeliveryStatus ? { mode: 'att' } : { mode: 'none' },
          notify: async () => (body.notifyDeliveryStatus ? { mode: 'att', url: client.deliveryStatusUrl } : { mode: 'none' }),
          clientCorrelator: null,
          idempotencyKey: idempotencyKeyOf(request),
        },
        (messageId): StoredResponse => {
          // A status that will be pushed is not pollable, so it gets no resource (contract §3.1).
          const url = body.notifyDeliveryStatus ? null : `${publicBase(ctx.config, request)}${gen.base}/${messageId}`;
          return { status: gen.created, location: url, body: gen.body(messageId, url) };
        },
      );
      return replySent(request, reply, result, gen.xmlRoot);
    });

    app.get<{ Params: { messageId: string } }>(`${gen.base}/:messageId`, { ...guard, ...CONSUMING_READ }, async (request, reply) => {
      const { message, entries } = await readDeliveryStatus(ctx, request.apiClient.appId, request.params.messageId, 'att');
      return sendRepresentation(request, reply, 200, {
        DeliveryInfoList: {
          DeliveryInfo: entries.map((e) => ({ Id: recipientLabel(e.recipient.seq), Address: e.recipient.addressOriginal, DeliveryStatus: e.status })),
          ResourceUrl: `${publicBase(ctx.config, request)}${gen.base}/${message.id}`,
        },
      });
    });
  }
}
