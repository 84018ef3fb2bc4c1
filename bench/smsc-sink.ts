import { formatReceiptText } from '../src/network/smpp/dlr.js';
import { deliverSmPdu, ESM_CLASS, isBindCommand, readSubmitSm, STATUS, type Pdu } from '../src/network/smpp/pdu.js';
import { listenSmpp, type SmppSession } from '../src/network/smpp/session.js';

// The SMSC sink of the reference figure (Kannel's ~2,000 msg/s was taken against one): it
// binds anyone, answers every submit_sm at once and sends its DELIVRD receipt straight back, with
// nothing stored and no network behind it. The simulator SMSC is a durable SMSC (its own store,
// jobs and handsets), so on two shared cores it takes CPU the gateway would otherwise have.
const DELIVRD = 2;
let nextId = BigInt(Date.now()) * 1000n;

function serve(session: SmppSession): void {
  const receipts: Pdu[] = [];
  const pump = (): void => {
    while (receipts.length > 0 && session.hasRoom()) {
      session.request(receipts.shift() as Pdu).then(pump, (err: unknown) => process.stderr.write(`receipt not acknowledged: ${String(err)}\n`));
    }
  };
  session.on('request', (pdu: Pdu) => {
    if (isBindCommand(pdu.command)) return session.respond(pdu, STATUS.ROK, { system_id: 'SINK' });
    if (pdu.command === 'unbind') {
      session.respond(pdu);
      return session.close();
    }
    if (pdu.command !== 'submit_sm') return session.respond(pdu, STATUS.RINVCMDID);
    const sm = readSubmitSm(pdu);
    const id = (nextId++).toString(16);
    session.respond(pdu, STATUS.ROK, { message_id: id });
    if ((sm.registeredDelivery & 0x01) === 0) return;
    const now = Date.now();
    const text = formatReceiptText({ id, submitted: 1, delivered: 1, submitAt: now, doneAt: now, stat: 'DELIVRD', err: '000', text: '' });
    receipts.push(
      deliverSmPdu({
        source: sm.destination,
        destination: sm.source,
        esmClass: ESM_CLASS.TYPE_RECEIPT,
        dataCoding: 0,
        shortMessage: Buffer.from(text, 'latin1'),
        receiptedMessageId: id,
        messageState: DELIVRD,
      }),
    );
    pump();
  });
}

const listener = await listenSmpp('127.0.0.1', 0, { window: 10, responseTimeoutMs: 10_000, enquireLinkMs: 0 }, serve);
process.stdout.write(`smpp=127.0.0.1:${listener.port}\n`);
// A clean exit on the bench's SIGTERM, so BENCH_CPU_PROF gets this process's profile too.
process.once('SIGTERM', () => {
  void listener.close().finally(() => process.exit(0));
});
