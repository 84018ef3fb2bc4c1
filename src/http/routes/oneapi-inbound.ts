import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { parseBatchSize, pollInbox } from '../../inbound/poll.js';
import { oneapiInboundMessage } from '../../webhooks/bodies.js';
import { apiAuth } from '../api-auth.js';
import { CONSUMING_READ } from '../not-found.js';
import { publicBase } from '../public-url.js';
import { field, sendRepresentation } from '../representation.js';

export const ONEAPI_VERSIONS = ['1', '2', '3'] as const;

/**
 * OneAPI retrieve inbound messages (contract §10):
 * `GET /{1,2,3}/smsmessaging/inbound/registrations/{registrationId}/messages[?maxBatchSize=N]` →
 * `{"inboundSMSMessageList":{"inboundSMSMessage":[{dateTime,destinationAddress,messageId,message,
 * resourceURL,senderAddress}],"numberOfMessagesInThisBatch":"1","resourceURL":"…",
 * "totalNumberOfPendingMessages":"0"}}`; in XML the same names (AT&T's one published sample).
 */
export async function oneapiInboundRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  for (const version of ONEAPI_VERSIONS) {
    app.get<{ Params: { registrationId: string } }>(
      `/${version}/smsmessaging/inbound/registrations/:registrationId/messages`,
      { onRequest: apiAuth(ctx), ...CONSUMING_READ },
      async (request, reply) => {
        const size = parseBatchSize(field(request.query, 'maxBatchSize'), 'maxBatchSize');
        const batch = await pollInbox(ctx, request.apiClient.appId, request.params.registrationId, size, 'registrationId');
        const list = `${publicBase(ctx.config, request)}/${version}/smsmessaging/inbound/registrations/${batch.shortCode}/messages`;
        return sendRepresentation(request, reply, 200, {
          inboundSMSMessageList: {
            inboundSMSMessage: batch.messages.map((m) =>
              oneapiInboundMessage({ id: m.id, from: m.sender, to: m.shortCode, text: m.text, receivedAt: m.receivedAt }, `${list}/${m.id}`),
            ),
            numberOfMessagesInThisBatch: String(batch.messages.length),
            resourceURL: list,
            totalNumberOfPendingMessages: String(batch.pending),
          },
        });
      },
    );
  }
}
