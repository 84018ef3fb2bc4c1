import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import type { Recipient } from '../../sms/address.js';
import { parseShortCode } from '../../sms/address.js';
import { readDeliveryStatus, type StatusEntry } from '../../sms/status.js';
import type { OneApiRequestFields, SendApi, StoredResponse } from '../../store/repos/messages.js';
import { apiAuth } from '../api-auth.js';
import { CONSUMING_READ } from '../not-found.js';
import { publicBase } from '../public-url.js';
import { sendRepresentation } from '../representation.js';
import { throttle } from '../throttle.js';
import { idempotencyKeyOf, replySent } from './att-outbox.js';
import { parseOneApiSendBody, type OneApiSendBody } from './send-body.js';
import { oneapiReceiptRequest, oneapiReceiptTarget } from '../../webhooks/receipt-request.js';

const VERSIONS = ['1', '2', '3'] as const;
type Version = (typeof VERSIONS)[number];

/** `…/{v}/smsmessaging/outbound/tel%3A12345/requests/{id}`: the sender in the canonical `tel:` form. */
function requestUrl(publicUrl: string, v: Version, sender: string, messageId: string): string {
  return `${publicUrl}/${v}/smsmessaging/outbound/${encodeURIComponent(`tel:${sender}`)}/requests/${messageId}`;
}

/** What the request asked that its message keeps no column for: the body's own spelling and options. */
function requestFields(sender: string, body: OneApiSendBody): OneApiRequestFields {
  const { clientCorrelator, notifyUrl, callbackData, senderName } = body;
  return {
    senderAddress: body.senderAddress ?? `tel:${sender}`,
    ...(clientCorrelator === null ? {} : { clientCorrelator }),
    // A callbackData without a notifyURL asked for no receipts (oneapiReceiptRequest): not echoed.
    ...(notifyUrl === null ? {} : { receiptRequest: callbackData === null ? { notifyURL: notifyUrl } : { notifyURL: notifyUrl, callbackData } }),
    ...(senderName === null ? {} : { senderName }),
  };
}

type DeliveryInfo = { readonly address: string; readonly deliveryStatus: string };

function deliveryInfoOf(entries: readonly StatusEntry[]): DeliveryInfo[] {
  return entries.map((e) => ({ address: e.recipient.addressOriginal, deliveryStatus: e.status }));
}

/**
 * The `outboundSMSMessageRequest` resource, as /3's Send SMS answer and GET on its resourceURL show
 * it: the request as sent, its recipients' states (`deliveryInfoList`) and its `resourceURL`.
 */
function outboundRequest(url: string, fields: OneApiRequestFields, message: unknown, deliveryInfo: readonly DeliveryInfo[]): Record<string, unknown> {
  const { senderAddress, clientCorrelator, receiptRequest, senderName } = fields;
  return {
    address: deliveryInfo.map((d) => d.address),
    senderAddress,
    outboundSMSTextMessage: { message },
    ...(clientCorrelator === undefined ? {} : { clientCorrelator }),
    ...(receiptRequest === undefined ? {} : { receiptRequest }),
    ...(senderName === undefined ? {} : { senderName }),
    deliveryInfoList: { deliveryInfo, resourceURL: `${url}/deliveryInfos` },
    resourceURL: url,
  };
}

/**
 * The Send SMS answer: `resourceReference` on /1 and /2 (what the GSMA libraries read); on /3 the
 * request echoed with its `resourceURL` and a `deliveryInfoList` of `MessageWaiting` (contract §8).
 */
function sendResponse(v: Version, url: string, fields: OneApiRequestFields, body: OneApiSendBody, recipients: readonly Recipient[]): StoredResponse {
  if (v !== '3') return { status: 201, location: url, body: { resourceReference: { resourceURL: url } } };
  const waiting = recipients.map((r) => ({ address: r.original, deliveryStatus: 'MessageWaiting' }));
  return { status: 201, location: url, body: { outboundSMSMessageRequest: outboundRequest(url, fields, body.message, waiting) } };
}

/**
 * GSMA OneAPI Send SMS (`POST /{1,2,3}/smsmessaging/outbound/{senderAddress}/requests`) and its
 * delivery infos on the three path forms clients use (contract §8, §9). The sender must be one of
 * the app's short codes (403 POL0002 otherwise, like an AT&T app without one); a body
 * `senderAddress` that differs from the path is SVC0004. Status queries identify the message by
 * its id and app; the sender in their path is not checked, as clients spell it in many ways.
 */
const SENDER_PLACEHOLDER = '{senderAddress}';

export async function oneapiOutboundRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  const guard = { onRequest: [apiAuth(ctx), throttle(ctx)] };

  for (const v of VERSIONS) {
    const api = `oneapi-${v}` as SendApi;

    app.post<{ Params: { senderAddress: string } }>(`/${v}/smsmessaging/outbound/:senderAddress/requests`, guard, async (request, reply) => {
      const appId = request.apiClient.appId;
      const body = parseOneApiSendBody(request.body);
      // The GSMA reference Java library sends to its endpoint template as written, placeholder and
      // all; its sender is then only in the body (as its reference server reads it).
      const named = request.params.senderAddress === SENDER_PLACEHOLDER && body.senderAddress !== undefined ? body.senderAddress : request.params.senderAddress;
      const sender = parseShortCode(named);
      if (sender === null) throw new ApiError('SVC0004', ['senderAddress']);
      if (!request.apiClient.shortCodes.includes(sender)) throw new ApiError('POL0002', [named]);
      if (body.senderAddress !== undefined && parseShortCode(body.senderAddress) !== sender) throw new ApiError('SVC0004', ['senderAddress']);
      const receipt = oneapiReceiptRequest(ctx, request.apiClient, body);
      const fields = requestFields(sender, body);
      const result = await ctx.outbound.outbox.send(
        {
          api,
          appId,
          sender,
          address: body.address,
          message: body.message,
          receipt,
          // receiptRequest, else a delivery-receipt subscription on the sender (webhooks area, §11).
          notify: () => oneapiReceiptTarget(ctx, appId, sender, receipt),
          clientCorrelator: body.clientCorrelator,
          idempotencyKey: idempotencyKeyOf(request),
          extra: { senderName: body.senderName },
          oneapiRequest: fields,
        },
        (messageId, recipients) => sendResponse(v, requestUrl(publicBase(ctx.config, request), v, sender, messageId), fields, body, recipients),
      );
      return replySent(request, reply, result);
    });

    // GET on the resourceURL Send SMS answered (OMA REST NetAPI ShortMessaging: the individual
    // outbound request). It shows the status without using up its read-once final answer, so the
    // deliveryInfos query after it answers as it would have; once that status is gone (read,
    // expired) so is the request. An AT&T send was never a OneAPI request: unknown here.
    app.get<{ Params: { requestId: string } }>(`/${v}/smsmessaging/outbound/:senderAddress/requests/:requestId`, guard, async (request, reply) => {
      const { message, entries } = await readDeliveryStatus(ctx, request.apiClient.appId, request.params.requestId, 'oneapi', { consume: false });
      if (!message.api.startsWith('oneapi')) throw new ApiError('SVC0002', ['requestId']);
      const url = requestUrl(publicBase(ctx.config, request), v, message.sender, message.id);
      const fields = message.oneapiRequest ?? { senderAddress: `tel:${message.sender}` };
      return sendRepresentation(request, reply, 200, { outboundSMSMessageRequest: outboundRequest(url, fields, message.text, deliveryInfoOf(entries)) });
    });

    const paths = [
      `/${v}/smsmessaging/outbound/requests/:senderAddress/:requestId/deliveryInfos`,
      `/${v}/smsmessaging/outbound/:senderAddress/requests/:requestId/deliveryInfos`,
      `/${v}/smsmessaging/outbound/:senderAddress/:requestId/deliveryInfos`,
    ];
    for (const path of paths) {
      app.get<{ Params: { requestId: string } }>(path, { ...guard, ...CONSUMING_READ }, async (request, reply) => {
        const { message, entries } = await readDeliveryStatus(ctx, request.apiClient.appId, request.params.requestId, 'oneapi');
        return sendRepresentation(request, reply, 200, {
          deliveryInfoList: {
            deliveryInfo: deliveryInfoOf(entries),
            resourceURL: `${requestUrl(publicBase(ctx.config, request), v, message.sender, message.id)}/deliveryInfos`,
          },
        });
      });
    }
  }
}
