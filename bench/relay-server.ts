import { rmSync } from 'node:fs';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { isReceipt, parseReceipt, type ParsedReceipt } from '../src/network/smpp/dlr.js';
import { addressOf, messageIdOf, readDeliverSm, STATUS, submitSmPdu, type Pdu } from '../src/network/smpp/pdu.js';
import { SmppSession } from '../src/network/smpp/session.js';
import { Journal } from './lib/journal.js';

// The SMPP path's ceiling: the same protocol work as the gateway on that path — Send SMS's JSON
// in, submit_sm out through our SMPP session (window 10), the receipt in, a JSON notification
// POSTed to the listener (8 at a time) — with nothing stored, no auth, no jobs and no retries.
// What the gateway takes beyond this is what its durable pipeline costs on this machine.
// With RELAY_JOURNAL=FILE it is durable in the cheapest way we know: one append-only journal,
// group-synced; a request is answered, and a receipt acknowledged and notified, only once its
// record is on disk (the submit's and the notification's records are appended without waiting).
const smscPort = Number(process.env.RELAY_SMSC_PORT);
const listenerUrl = new URL(process.env.RELAY_LISTENER_URL ?? '');
const POSTS_AT_ONCE = 8;
const journalPath = process.env.RELAY_JOURNAL;
const journal = journalPath === undefined ? undefined : await Journal.open(journalPath);

const session = await SmppSession.connect('127.0.0.1', smscPort, { window: 10, responseTimeoutMs: 10_000, enquireLinkMs: 0 });
await session.bind('transceiver', { systemId: 'bench', password: 'bench' });

interface Outgoing {
  readonly id: string;
  readonly to: string;
  readonly text: string;
}

const toSubmit: Outgoing[] = [];
/** Submitted messages by SMSC id, waiting for their receipt. */
const awaiting = new Map<string, Outgoing>();
/**
 * Receipts read before their submit_sm_resp was: an SMSC that sends the receipt right after the
 * response has both in one read, and the response's promise settles after the receipt's event.
 */
const early = new Map<string, ParsedReceipt>();
const toPost: string[] = [];
let posting = 0;
let n = 0;

function pumpSubmits(): void {
  while (toSubmit.length > 0 && session.hasRoom()) {
    const message = toSubmit.shift() as Outgoing;
    const pdu = submitSmPdu({
      source: addressOf('22627000'),
      destination: addressOf(message.to),
      esmClass: 0,
      dataCoding: 0,
      registeredDelivery: 1,
      shortMessage: Buffer.from(message.text, 'latin1'),
    });
    session.request(pdu).then(
      (answer) => {
        if (answer.command_status === STATUS.ROK) {
          const id = messageIdOf(answer);
          journal?.append({ submitted: message.id, smscId: id });
          const receipt = early.get(id);
          if (receipt === undefined) awaiting.set(id, message);
          else {
            for (const i of receipt.ids) early.delete(i);
            void finish(message, receipt);
          }
        } else process.stderr.write(`submit_sm refused: ${answer.command_status}\n`);
        pumpSubmits();
      },
      (err: unknown) => {
        process.stderr.write(`submit_sm failed: ${String(err)}\n`);
        pumpSubmits();
      },
    );
  }
}

const agent = new Agent({ connections: POSTS_AT_ONCE, keepAliveTimeout: 60_000 });
function pumpPosts(): void {
  while (toPost.length > 0 && posting < POSTS_AT_ONCE) {
    const body = toPost.shift() as string;
    posting += 1;
    request(listenerUrl, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body })
      .then((res) => res.body.dump())
      .then(() => journal?.append({ notified: true }))
      .catch((err: unknown) => process.stderr.write(`notification failed: ${String(err)}\n`))
      .finally(() => {
        posting -= 1;
        pumpPosts();
      });
  }
}

/** The message's final state (on disk first with a journal), then its notification. */
async function finish(message: Outgoing, receipt: ParsedReceipt): Promise<void> {
  await journal?.appendSynced({ final: message.id, state: receipt.state });
  toPost.push(JSON.stringify({ deliveryInfoNotification: { callbackData: '', deliveryInfo: { address: `tel:${message.to}`, deliveryStatus: receipt.state === 'delivered' ? 'DeliveredToTerminal' : 'DeliveryImpossible' } } }));
  pumpPosts();
}

session.on('request', (pdu: Pdu) => {
  if (pdu.command !== 'deliver_sm') return session.respond(pdu);
  const d = readDeliverSm(pdu);
  const fields = { esmClass: d.esmClass, text: d.shortMessage.toString('latin1'), receiptedMessageId: d.receiptedMessageId, messageState: d.messageState, networkErrorCode: d.networkErrorCode };
  const receipt = isReceipt(fields) ? parseReceipt(fields) : null;
  if (receipt === null) return session.respond(pdu);
  const id = receipt.ids.find((i) => awaiting.has(i));
  const message = id === undefined ? undefined : awaiting.get(id);
  if (id === undefined || message === undefined) {
    for (const i of receipt.ids) early.set(i, receipt);
    if (journal === undefined) return session.respond(pdu);
    void journal.appendSynced({ receipt: receipt.ids, state: receipt.state }).then(() => session.respond(pdu));
    return;
  }
  awaiting.delete(id);
  void finish(message, receipt).then(() => session.respond(pdu));
});

const app = Fastify({ logger: false });
app.post('/sms/v3/messaging/outbox', async (req, reply) => {
  const body = req.body as { outboundSMSRequest?: { address?: unknown; message?: unknown } };
  const address = body.outboundSMSRequest?.address;
  const text = body.outboundSMSRequest?.message;
  if (typeof address !== 'string' || typeof text !== 'string') return reply.code(400).send({});
  const id = `SMS${(n++).toString(16).padStart(16, '0')}`;
  const message = { id, to: address.replace(/^tel:/, ''), text };
  await journal?.appendSynced({ accepted: message });
  toSubmit.push(message);
  pumpSubmits();
  return reply.code(201).send({ outboundSMSResponse: { messageId: id, resourceReference: { resourceURL: `http://127.0.0.1/sms/v3/messaging/outbox/${id}` } } });
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${address}\n`);
// A clean exit on the bench's SIGTERM, so BENCH_CPU_PROF gets this process's profile too.
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => session.unbind())
    .then(() => journal?.close())
    .finally(() => {
      if (journalPath !== undefined) rmSync(journalPath, { force: true });
      process.exit(0);
    });
});
