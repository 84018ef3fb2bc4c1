import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { pollInbox, type PolledBatch } from '../../inbound/poll.js';
import { toTelUri } from '../../sms/address.js';
import { apiAuth } from '../api-auth.js';
import { CONSUMING_READ } from '../not-found.js';
import { publicBase } from '../public-url.js';
import { field, sendRepresentation } from '../representation.js';

/**
 * `{"InboundSmsMessageList":{"InboundSmsMessage":[{"MessageId","Message","SenderAddress"}],
 * "NumberOfMessagesInThisBatch":"1","ResourceUrl":"…","TotalNumberOfPendingMessages":"0"}}` —
 * PascalCase in v2 and v3, the list always an array, the counters strings (contract §5).
 */
function inboxList(batch: PolledBatch, resourceUrl: string): Record<string, unknown> {
  return {
    InboundSmsMessageList: {
      InboundSmsMessage: batch.messages.map((m) => ({ MessageId: m.id, Message: m.text, SenderAddress: toTelUri(m.sender) })),
      NumberOfMessagesInThisBatch: String(batch.messages.length),
      ResourceUrl: resourceUrl,
      TotalNumberOfPendingMessages: String(batch.pending),
    },
  };
}

/** AT&T RESTful Get SMS: v3 `GET /sms/v3/messaging/inbox/{RegistrationId}`, v2 `GET /rest/sms/2/messaging/inbox?RegistrationID=`. */
export async function attInboxRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {

  app.get<{ Params: { registrationId: string } }>(
    '/sms/v3/messaging/inbox/:registrationId',
    { onRequest: apiAuth(ctx), ...CONSUMING_READ },
    async (request: FastifyRequest<{ Params: { registrationId: string } }>, reply: FastifyReply) => {
      const batch = await pollInbox(ctx, request.apiClient.appId, request.params.registrationId, undefined, 'RegistrationId');
      return sendRepresentation(request, reply, 200, inboxList(batch, `${publicBase(ctx.config, request)}/sms/v3/messaging/inbox/${batch.shortCode}`));
    },
  );

  app.get('/rest/sms/2/messaging/inbox', { onRequest: apiAuth(ctx), ...CONSUMING_READ }, async (request, reply) => {
    // Clients spell the key RegistrationID, RegistrationId or registrationId.
    const raw = field(request.query, 'RegistrationID');
    const registration = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
    const batch = await pollInbox(ctx, request.apiClient.appId, registration, undefined, 'RegistrationID');
    // The inbox without its query, as the v2 doc's example answers `?RegistrationID=22627000`.
    return sendRepresentation(request, reply, 200, inboxList(batch, `${publicBase(ctx.config, request)}/rest/sms/2/messaging/inbox`));
  });
}
