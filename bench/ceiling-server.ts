import Fastify from 'fastify';

// The ceiling: a bare fastify route with the same JSON in and out as Send SMS, no auth, no store.
// Whatever the gateway does beyond this is what its own work costs on this machine.
const app = Fastify({ logger: false });
let n = 0;
app.post('/sms/v3/messaging/outbox', async (request, reply) => {
  const body = request.body as { outboundSMSRequest?: { address?: unknown } };
  if (body.outboundSMSRequest?.address === undefined) return reply.code(400).send({});
  const id = `SMS${(n++).toString(16).padStart(16, '0')}`;
  return reply.code(201).send({ outboundSMSResponse: { messageId: id, resourceReference: { resourceURL: `http://127.0.0.1/sms/v3/messaging/outbox/${id}` } } });
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${address}\n`);
