/**
 * Fake SMSCs for the session-layer tests: a base that binds anyone and accepts every submit, and
 * one small subclass per carrier behaviour we must survive (after jasmin's
 * tests/protocols/smpp/smsc_simulator.py). They speak real SMPP on 127.0.0.1 through our own
 * session wrapper's server side.
 */
import { deliverSmPdu, type Pdu, readSubmitSm, type SubmitSm, STATUS, systemIdOf } from '../../src/network/smpp/pdu.js';
import { listenSmpp, type SmppListener, type SmppSession } from '../../src/network/smpp/session.js';

export class FakeSmsc {
  listener: SmppListener | undefined;
  readonly sessions = new Set<SmppSession>();
  readonly submits: SubmitSm[] = [];
  readonly binds: string[] = [];
  /** The system_id each session bound with. */
  readonly systemIds = new Map<SmppSession, string>();
  readonly commands: string[] = [];
  #nextId = 0x1000;
  /** Submits answered so far / in flight now / most in flight at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Delay before answering a submit, to let a window fill. */
  responseDelayMs = 0;

  get port(): number {
    if (!this.listener) throw new Error('not started');
    return this.listener.port;
  }

  async start(port = 0): Promise<this> {
    this.listener = await listenSmpp('127.0.0.1', port, { window: 10, responseTimeoutMs: 2000, enquireLinkMs: 0 }, (session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      session.on('request', (pdu) => {
        this.commands.push(pdu.command);
        this.onRequest(session, pdu);
      });
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.listener?.close();
  }

  newId(): string {
    return (this.#nextId++).toString(16);
  }

  protected onRequest(session: SmppSession, pdu: Pdu): void {
    switch (pdu.command) {
      case 'bind_transceiver':
      case 'bind_transmitter':
      case 'bind_receiver':
        this.binds.push(pdu.command);
        this.systemIds.set(session, systemIdOf(pdu));
        return this.onBind(session, pdu);
      case 'submit_sm':
        this.submits.push(readSubmitSm(pdu));
        return this.onSubmit(session, pdu);
      case 'unbind':
        session.respond(pdu);
        session.close();
        return;
      default:
        session.respond(pdu, STATUS.RINVCMDID);
    }
  }

  protected onBind(session: SmppSession, pdu: Pdu): void {
    session.respond(pdu, STATUS.ROK, { system_id: 'fake' });
  }

  protected onSubmit(session: SmppSession, pdu: Pdu): void {
    this.answerLater(session, pdu, STATUS.ROK);
  }

  protected answerLater(session: SmppSession, pdu: Pdu, status: number, messageId = this.newId()): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const answer = () => {
      this.inFlight--;
      session.respond(pdu, status, status === STATUS.ROK ? { message_id: messageId } : {});
    };
    if (this.responseDelayMs > 0) setTimeout(answer, this.responseDelayMs);
    else answer();
  }

  /** Sends a deliver_sm to every bound session that can receive; resolves with the responses. */
  deliver(fields: Parameters<typeof deliverSmPdu>[0]): Promise<Pdu[]> {
    return Promise.all([...this.sessions].map(async (s) => {
      await s.waitForRoom();
      return s.request(deliverSmPdu(fields));
    }));
  }
}

export class HappySmsc extends FakeSmsc {}

/** Accepts `perSecond` submits per second and answers ESME_RTHROTTLED beyond that. */
export class ThrottlingSmsc extends FakeSmsc {
  throttledCount = 0;
  readonly accepted: string[] = [];
  #windowStart = 0;
  #count = 0;

  constructor(readonly perSecond: number) {
    super();
  }

  protected override onSubmit(session: SmppSession, pdu: Pdu): void {
    const now = Date.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (++this.#count > this.perSecond) {
      this.throttledCount++;
      this.submits.pop();
      return session.respond(pdu, STATUS.RTHROTTLED);
    }
    this.accepted.push(readSubmitSm(pdu).shortMessage.toString('latin1'));
    this.answerLater(session, pdu, STATUS.ROK);
  }
}

/** Answers the first submit with an unbind of its own (carrier maintenance), never with a response. */
export class UnbindOnSubmitSmsc extends FakeSmsc {
  unbound = 0;

  protected override onSubmit(session: SmppSession, pdu: Pdu): void {
    if (this.unbound === 0) {
      this.unbound++;
      void session.unbind();
      return;
    }
    super.onSubmit(session, pdu);
  }
}

/** Takes submits and never answers them. */
export class NoResponseSmsc extends FakeSmsc {
  protected override onSubmit(): void {}
}

/** Refuses every bind. */
export class BindErrorSmsc extends FakeSmsc {
  constructor(readonly status: number = STATUS.RBINDFAIL) {
    super();
  }

  protected override onBind(session: SmppSession, pdu: Pdu): void {
    session.respond(pdu, this.status);
  }
}

/**
 * Sends a delivery receipt for every submit — `before` the submit_sm_resp when asked, which is
 * what a busy SMSC with a fast handset does to an ESME that processes responses late.
 */
export class ReceiptSendingSmsc extends FakeSmsc {
  readonly receiptResponses: number[] = [];

  constructor(readonly order: 'before' | 'after' = 'after') {
    super();
  }

  protected override onSubmit(session: SmppSession, pdu: Pdu): void {
    const id = this.newId();
    const submit = readSubmitSm(pdu);
    const send = () =>
      session
        .request(
          deliverSmPdu({
            source: submit.destination,
            destination: submit.source,
            esmClass: 0x04,
            dataCoding: 0,
            shortMessage: Buffer.from(`id:${id} sub:001 dlvrd:001 submit date:2601010000 done date:2601010000 stat:DELIVRD err:000 text:`),
            receiptedMessageId: id,
            messageState: 2,
          }),
        )
        .then((r) => this.receiptResponses.push(r.command_status));
    // Written synchronously when the window allows, so 'before' really precedes the response;
    // otherwise in turn with the other receipts waiting for room (one wake-up can serve only one).
    const receipt = async () => {
      while (!session.hasRoom()) await session.waitForRoom();
      return send();
    };
    // A receipt outstanding when its session closes (the gateway dropped it, or the test ended)
    // is lost with it, as on a real SMSC; a test that needed it sees its message never go final.
    const sendReceipt = () => receipt().catch(() => undefined);
    if (this.order === 'before') void sendReceipt();
    this.answerLater(session, pdu, STATUS.ROK, id);
    if (this.order === 'after') void sendReceipt();
  }
}

/** Answers ESME_RTHROTTLED to every submit until `throttleUntil` (epoch ms), then as ReceiptSendingSmsc. */
export class ThrottleThenReceiptSmsc extends ReceiptSendingSmsc {
  throttleUntil = 0;
  throttledCount = 0;

  protected override onSubmit(session: SmppSession, pdu: Pdu): void {
    if (Date.now() >= this.throttleUntil) return super.onSubmit(session, pdu);
    this.throttledCount++;
    this.submits.pop(); // `submits` holds what was accepted
    session.respond(pdu, STATUS.RTHROTTLED);
  }
}

/**
 * Accepts every submit and sends receipts only when the test says so — per part, in any order,
 * with any outcome, even before the submit_sm_resp (`holdResponses`).
 */
export class ControlledReceiptSmsc extends FakeSmsc {
  /** Accepted submits with the id each got, in arrival order. */
  readonly accepted: Array<{ id: string; submit: SubmitSm; session: SmppSession }> = [];
  holdResponses = false;
  readonly #held: Array<() => void> = [];

  protected override onSubmit(session: SmppSession, pdu: Pdu): void {
    const id = this.newId();
    this.accepted.push({ id, submit: readSubmitSm(pdu), session });
    const answer = () => session.respond(pdu, STATUS.ROK, { message_id: id });
    if (this.holdResponses) this.#held.push(answer);
    else answer();
  }

  releaseResponses(): void {
    for (const answer of this.#held.splice(0)) answer();
  }

  /** The accepted parts of the message sent to `to`, ordered by their UDH sequence number. */
  partsTo(to: string): Array<{ id: string; seq: number; submit: SubmitSm; session: SmppSession }> {
    return this.accepted
      .filter((a) => `+${a.submit.destination.addr}` === to)
      .map((a) => ({ ...a, seq: (a.submit.esmClass & 0x40) !== 0 ? (a.submit.shortMessage[5] ?? 1) : 1 }))
      .sort((x, y) => x.seq - y.seq);
  }

  /** Sends a receipt for message id `id` with `stat`, on `options.session` or the first bound session. */
  async receipt(id: string, stat: string, options: { textId?: string; tlvId?: string | null; session?: SmppSession } = {}): Promise<number> {
    const session = options.session ?? [...this.sessions][0];
    if (!session) throw new Error('no ESME bound');
    await session.waitForRoom();
    const state: Record<string, number> = { DELIVRD: 2, EXPIRED: 3, UNDELIV: 5, REJECTD: 8, ACCEPTD: 6, ENROUTE: 1 };
    const textId = options.textId ?? id;
    const response = await session.request(
      deliverSmPdu({
        source: { ton: 1, npi: 1, addr: '14255550100' },
        destination: { ton: 3, npi: 0, addr: '22627400' },
        esmClass: 0x04,
        dataCoding: 0,
        shortMessage: Buffer.from(`id:${textId} sub:001 dlvrd:00${stat === 'DELIVRD' ? 1 : 0} submit date:2601010000 done date:2601010001 stat:${stat} err:000 text:`),
        ...(options.tlvId === null ? {} : { receiptedMessageId: options.tlvId ?? id, messageState: state[stat] }),
      }),
    );
    return response.command_status;
  }
}

/** Binds transmitters and refuses every receiver (ESME_RBINDFAIL): sends go out, nothing comes in. */
export class ReceiverRefusingSmsc extends FakeSmsc {
  protected override onBind(session: SmppSession, pdu: Pdu): void {
    if (pdu.command === 'bind_receiver') return session.respond(pdu, STATUS.RBINDFAIL);
    super.onBind(session, pdu);
  }
}
