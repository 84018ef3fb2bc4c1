/**
 * The simulated network's SMPP 3.4 face (design.md §3): an SMSC on 127.0.0.1 that existing SMPP
 * tools — and Switchboard itself in `smpp` mode — can bind to. A submit_sm reaches the handset
 * named by destination_addr exactly like an API send (the parts of a concatenated message are
 * collected, durably, until the set is whole); receipts come back as deliver_sm when
 * registered_delivery asks; MO from handsets goes to bound receivers. Its carrier behaviour (id
 * forms, receipt mix and delay, throttling, errors, dropped responses, connection cuts) comes from
 * SWITCHBOARD_SIM_SMPP_* settings.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sameDigest, sha256Hex } from '../../auth/secrets.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { toE164 } from '../../sms/address.js';
import { ConcatRefs } from '../../sms/concat-ref.js';
import { decodeText, textCodingOf } from '../../sms/encoding.js';
import { buildUserData, parseUdh, segmentText, udhLength } from '../../sms/segment.js';
import type { Store } from '../../store/store.js';
import { formatReceiptText } from '../smpp/dlr.js';
import { addressOf, ESM_CLASS, isBindCommand, type Pdu, passwordOf, readSubmitSm, STATUS, systemIdOf, type SubmitSm } from '../smpp/pdu.js';
import { listenSmpp, type SmppListener, type SmppSession } from '../smpp/session.js';
import type { SimMo, SimReceipt, SimulatedNetwork } from '../simulator/network.js';
import { Faults } from './faults.js';
import { formatId } from './id-form.js';
import { Outbox } from './outbox.js';

/** Receipts of MTs submitted over SMPP come back from the network under this origin. */
const ORIGIN = 'smpp';

const MESSAGE_STATE: Record<string, number> = { DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, UNKNOWN: 7, REJECTD: 8 };
/** `err:` and network_error_code (GSM, type 3) for each final state. */
const ERROR_CODE: Record<string, number> = { DELIVRD: 0, EXPIRED: 0, DELETED: 0, UNDELIV: 1, UNKNOWN: 0, REJECTD: 11 };

export interface SimSmscOptions {
  readonly network: SimulatedNetwork;
  readonly store: Pick<Store, 'jobs' | 'simSmsc'>;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  readonly settings: Config['simSmpp'];
  /** When set, binds must give this password; otherwise any system_id/password binds. */
  readonly password: string | undefined;
  readonly port: number;
  /** Serve SMPP over TLS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly host?: string;
  /** Take MO from the network for bound receivers (the stand-alone `switchboard smsc`). */
  readonly takeMo: boolean;
  /** How long undeliverable receipts and MO are kept for a receiver to bind. */
  readonly keepMs: number;
  /** Lease of an outbox item being handed over: after a crash, the next start takes it after this. */
  readonly leaseMs?: number;
  readonly random?: () => number;
}

interface Bind {
  readonly systemId: string;
  readonly type: 'transceiver' | 'transmitter' | 'receiver';
}

export interface SimSmscStats {
  readonly port: number;
  readonly binds: ReadonlyArray<Bind & { readonly peer: string }>;
  readonly submits: number;
  readonly messages: number;
  readonly deliverSmSent: number;
  readonly faults: Faults['counts'];
}

export class SimSmsc {
  readonly #o: SimSmscOptions;
  readonly #faults: Faults;
  readonly #outbox: Outbox;
  readonly #binds = new Map<SmppSession, Bind>();
  readonly #setLocks = new Map<string, Promise<void>>();
  readonly #queues = new WeakMap<SmppSession, Promise<void>>();
  readonly #moRefs = new ConcatRefs();
  #listener: SmppListener | undefined;
  #nextId: bigint;
  #submits = 0;
  #messages = 0;
  #pruner: NodeJS.Timeout | undefined;

  constructor(options: SimSmscOptions) {
    this.#o = options;
    this.#faults = new Faults(options.settings, options.random);
    // Ids grow with time across restarts, so a restarted SMSC never reuses one (receipts would go astray).
    this.#nextId = (BigInt(options.clock.now()) * 1000n) % 2n ** 48n;
    this.#outbox = new Outbox({
      store: options.store,
      clock: options.clock,
      log: options.log,
      keepMs: options.keepMs,
      leaseMs: options.leaseMs ?? 30_000,
      receivers: (systemId) =>
        [...this.#binds]
          .filter(([s, b]) => !s.closed && b.type !== 'transmitter' && (systemId === null || b.systemId === systemId))
          .map(([s]) => s),
    });
  }

  get port(): number {
    if (!this.#listener) throw new Error('simulator SMSC is not listening');
    return this.#listener.port;
  }

  async start(): Promise<number> {
    this.#o.network.onReceipt(ORIGIN, (r) => this.#onReceipt(r));
    if (this.#o.takeMo) this.#o.network.onMo((mo) => this.deliverMo(mo));
    this.#listener = await listenSmpp(
      this.#o.host ?? '127.0.0.1',
      this.#o.port,
      { window: 10, responseTimeoutMs: 5000, enquireLinkMs: 0 },
      (s) => this.#accept(s),
      this.#o.tls,
      // Seen otherwise only on the ESME's side (a CA it lacks, plain SMPP to the TLS port).
      (reason) => this.#o.log.warn({ reason }, 'simulator SMSC: TLS handshake failed'),
    );
    this.#outbox.start();
    // Part sets that never completed go after the retry window. A message's record goes after
    // twice the window: its last delivery attempt is due at its submit plus the window, and only
    // when that attempt runs — later by the runner's poll, a backlog of due jobs or a restart — is
    // its EXPIRED receipt written from the record; pruned at the window, it was sometimes gone by
    // then, and the receipt with it. (A receipt deletes the record: only messages that asked for
    // none are kept that long.)
    this.#pruner = setInterval(() => {
      const now = this.#o.clock.now();
      this.#o.store.simSmsc
        .prune({ partsBefore: now - this.#o.keepMs, messagesBefore: now - 2 * this.#o.keepMs })
        .catch((err: unknown) => this.#o.log.error({ err }, 'simulator SMSC: prune failed'));
    }, 60_000);
    this.#pruner.unref();
    this.#o.log.info({ port: this.#listener.port, tls: this.#o.tls !== undefined }, 'simulator SMSC listening');
    return this.#listener.port;
  }

  async stop(): Promise<void> {
    if (this.#pruner) clearInterval(this.#pruner);
    const listening = this.#listener !== undefined;
    await this.#listener?.close();
    await this.#outbox.stop();
    if (listening) this.#o.log.info('simulator SMSC stopped');
  }

  stats(): SimSmscStats {
    return {
      port: this.#listener?.port ?? 0,
      binds: [...this.#binds].map(([s, b]) => ({ ...b, peer: s.remoteAddress })),
      submits: this.#submits,
      messages: this.#messages,
      deliverSmSent: this.#outbox.delivered,
      faults: { ...this.#faults.counts },
    };
  }

  /** An MO from a handset, as deliver_sm (split with UDH when long) to any bound receiver; durable before it resolves. */
  async deliverMo(mo: SimMo): Promise<void> {
    const message = segmentText(mo.text);
    const parts = buildUserData(message, message.segments.length > 1 ? this.#moRefs.next(mo.from) : 0);
    for (const part of parts) {
      await this.#outbox.send({
        systemId: null,
        source: addressOf(mo.from),
        destination: addressOf(mo.to),
        esmClass: parts.length > 1 ? ESM_CLASS.UDHI : 0,
        dataCoding: message.dataCoding,
        shortMessage: part,
      });
    }
  }

  #accept(session: SmppSession): void {
    session.on('request', (pdu) => {
      this.#onRequest(session, pdu).catch((err: unknown) => {
        this.#o.log.error({ err, command: pdu.command }, 'simulator SMSC: request failed');
        session.respond(pdu, STATUS.RSYSERR);
      });
    });
    session.once('close', () => {
      const bind = this.#binds.get(session);
      this.#binds.delete(session);
      if (bind) this.#o.log.info({ systemId: bind.systemId, bindType: bind.type, peer: session.remoteAddress }, 'simulator SMSC: bind closed');
    });
  }

  async #onRequest(session: SmppSession, pdu: Pdu): Promise<void> {
    const bind = this.#binds.get(session);
    if (isBindCommand(pdu.command)) return this.#onBind(session, pdu, bind);
    if (pdu.command === 'unbind') {
      session.respond(pdu);
      session.close();
      return;
    }
    if (!bind) return session.respond(pdu, STATUS.RINVBNDSTS);
    if (pdu.command !== 'submit_sm') return session.respond(pdu, STATUS.RINVCMDID);
    if (bind.type === 'receiver') return session.respond(pdu, STATUS.RINVBNDSTS);
    // With cuts simulated, one submit at a time per connection in arrival order, so a cut leaves
    // the rest of the window unread instead of half-processed; otherwise the window is worked on
    // at once, as a loaded SMSC does (its writes then share commits).
    if (this.#o.settings.cutEvery === 0) return this.#onSubmit(session, pdu, bind);
    const previous = this.#queues.get(session) ?? Promise.resolve();
    const current = previous.then(() => this.#onSubmit(session, pdu, bind));
    this.#queues.set(session, current.catch(() => {}));
    await current;
  }

  #onBind(session: SmppSession, pdu: Pdu, current: Bind | undefined): void {
    const type = pdu.command.slice('bind_'.length) as Bind['type'];
    // Who asked, never with the password: a refusal here is otherwise seen only on the ESME's side.
    const who = { systemId: systemIdOf(pdu), bindType: type, peer: session.remoteAddress };
    if (current) {
      this.#o.log.warn(who, 'simulator SMSC: bind refused: this connection is bound already (ESME_RALYBND)');
      return session.respond(pdu, STATUS.RALYBND);
    }
    const password = this.#o.password;
    // Compared as digests in constant time: the time taken must not tell how much of a guess was right.
    if (password !== undefined && !sameDigest(sha256Hex(passwordOf(pdu)), sha256Hex(password))) {
      this.#o.log.warn(who, 'simulator SMSC: bind refused: the password is not SWITCHBOARD_SIM_SMPP_PASSWORD (ESME_RINVPASWD)');
      return session.respond(pdu, STATUS.RINVPASWD);
    }
    this.#binds.set(session, { systemId: who.systemId, type });
    session.respond(pdu, STATUS.ROK, { system_id: 'SWITCHBOARD' });
    this.#o.log.info(who, 'simulator SMSC: bind accepted');
    if (type !== 'transmitter') {
      this.#outbox.wake(who.systemId).catch((err: unknown) => this.#o.log.error({ err }, 'simulator SMSC: outbox wake failed'));
    }
  }

  async #onSubmit(session: SmppSession, pdu: Pdu, bind: Bind): Promise<void> {
    this.#submits++;
    const fault = this.#faults.forSubmit();
    if (fault === 'throttle') return session.respond(pdu, STATUS.RTHROTTLED);
    if (fault === 'error') return session.respond(pdu, STATUS.RSYSERR);
    // A dropped response: the message is taken, the ESME never hears so (and will likely resend).
    const answer = (status: number, id?: bigint) => {
      if (fault === 'drop') return;
      session.respond(pdu, status, id === undefined ? {} : { message_id: formatId(id, this.#o.settings.idForm) });
      // The cut comes right after an answer: the submits behind it in the window lose theirs.
      if (session.open && this.#faults.cutNow()) session.close();
    };

    const sm = readSubmitSm(pdu);
    const to = sm.destination.ton === 0x01 ? toE164(`+${sm.destination.addr}`) : toE164(sm.destination.addr);
    if (to === null) return answer(STATUS.RINVDSTADR);
    const payload = sm.messagePayload && sm.messagePayload.length > 0 ? sm.messagePayload : sm.shortMessage;
    const udhi = (sm.esmClass & ESM_CLASS.UDHI) !== 0;
    const concat = udhi ? parseUdh(payload) : null;
    const set = concat ? { ref: concat.ref, total: concat.total, seq: concat.seq } : sm.sar;
    const id = this.#nextId++;

    // A connection that went meanwhile takes its unread work with it: nothing is accepted.
    if (!session.open) return;
    if (!set || set.total === 1) {
      const status = await this.#toNetwork(bind, sm, to, [{ id, registeredDelivery: sm.registeredDelivery, payload }], udhi);
      return answer(status, status === STATUS.ROK ? id : undefined);
    }

    const setKey = [bind.systemId, sm.source.addr, to, set.ref, set.total].join('|');
    await this.#locked(setKey, async () => {
      if (!session.open) return;
      const parts = await this.#o.store.simSmsc.addPart({
        setKey,
        seq: set.seq,
        total: set.total,
        messageId: id.toString(),
        registeredDelivery: sm.registeredDelivery,
        dataCoding: sm.dataCoding,
        payload,
        createdAt: this.#o.clock.now(),
      });
      if (parts.length < set.total) return answer(STATUS.ROK, id);
      const status = await this.#toNetwork(
        bind,
        sm,
        to,
        parts.map((p) => ({ id: BigInt(p.messageId), registeredDelivery: p.registeredDelivery, payload: p.payload })),
        udhi,
      );
      // A temporary refusal keeps the other parts: the ESME resends this one and completes the set again.
      if (status !== STATUS.RSYSERR) await this.#o.store.simSmsc.dropSet(setKey);
      answer(status, status === STATUS.ROK ? id : undefined);
    });
  }

  /** Hands a whole message to the network; the command_status to answer the last submit with. */
  async #toNetwork(
    bind: Bind,
    sm: SubmitSm,
    to: string,
    parts: ReadonlyArray<{ id: bigint; registeredDelivery: number; payload: Uint8Array }>,
    udhi: boolean,
  ): Promise<number> {
    const { store, network, clock } = this.#o;
    const last = parts[parts.length - 1];
    if (!last) return STATUS.RSYSERR;
    const ref = `smpp-${last.id.toString()}`;
    await store.simSmsc.recordMessage({
      ref,
      systemId: bind.systemId,
      parts: parts.map((p) => ({ id: p.id.toString(), registeredDelivery: p.registeredDelivery })),
      source: sm.source.addr,
      destination: to,
      preview: preview(parts.map((p) => p.payload), udhi, sm.dataCoding),
      submittedAt: clock.now(),
    });
    const result = await network.submitMt({
      origin: ORIGIN,
      ref,
      from: sm.source.addr,
      to,
      dataCoding: sm.dataCoding,
      parts: parts.map((p) => p.payload),
      udhi,
      wantReceipt: parts.some((p) => (p.registeredDelivery & 0x03) !== 0),
    });
    if (result.ok) {
      this.#messages++;
      return STATUS.ROK;
    }
    await store.simSmsc.forgetMessage(ref);
    return result.kind === 'permanent' ? STATUS.RINVDSTADR : STATUS.RSYSERR;
  }

  async #onReceipt(r: SimReceipt): Promise<void> {
    const { store, settings, log } = this.#o;
    const message = await store.simSmsc.message(r.ref);
    if (!message) {
      log.warn({ ref: r.ref }, 'simulator SMSC: receipt for a message it does not know');
      return;
    }
    const stat = r.state === 'delivered' ? this.#faults.outcome() : r.state === 'expired' ? 'EXPIRED' : 'UNDELIV';
    const parts = settings.receipts === 'last-part' ? message.parts.slice(-1) : message.parts;
    const textForm = settings.receiptIdForm === 'same' ? settings.idForm : settings.receiptIdForm;
    const tlvForm = settings.tlvIdForm === 'same' ? settings.idForm : settings.tlvIdForm;
    const err = ERROR_CODE[stat] ?? 0;
    for (const part of parts) {
      if (!wantsReceipt(part.registeredDelivery, stat)) continue;
      const n = BigInt(part.id);
      const text = formatReceiptText({
        id: formatId(n, textForm),
        submitted: 1,
        delivered: stat === 'DELIVRD' ? 1 : 0,
        submitAt: message.submittedAt,
        doneAt: r.at,
        stat,
        err: String(err).padStart(3, '0'),
        text: message.preview,
      });
      await this.#outbox.send(
        {
          systemId: message.systemId,
          source: addressOf(message.destination),
          destination: addressOf(message.source),
          esmClass: ESM_CLASS.TYPE_RECEIPT,
          dataCoding: 0,
          shortMessage: Buffer.from(text, 'latin1'),
          receiptedMessageId: tlvForm === 'none' ? undefined : formatId(n, tlvForm),
          messageState: MESSAGE_STATE[stat],
          networkErrorCode: err === 0 ? undefined : Buffer.from([0x03, err >> 8, err & 0xff]),
        },
        settings.receiptDelayMs,
      );
    }
    // Its receipts are in the outbox: the record has served (kept, it grew by one row per message
    // for the whole retry window, 72 h by default).
    await store.simSmsc.forgetMessage(r.ref);
  }

  /** Runs `fn` after any other work on the same concatenated set (its parts may arrive together). */
  async #locked(key: string, fn: () => Promise<void>): Promise<void> {
    const before = this.#setLocks.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => {});
    this.#setLocks.set(key, tail);
    try {
      await run;
    } finally {
      if (this.#setLocks.get(key) === tail) this.#setLocks.delete(key);
    }
  }
}

/** registered_delivery bits 0–1 (§5.2.17): 01 = receipt for any final state, 10 = only on failure. */
function wantsReceipt(registeredDelivery: number, stat: string): boolean {
  const want = registeredDelivery & 0x03;
  return want === 0x01 || (want === 0x02 && stat !== 'DELIVRD');
}

/** The start of the message's text for the receipt's `text:` field ('' for binary codings). */
function preview(parts: readonly Uint8Array[], udhi: boolean, dataCoding: number): string {
  const first = parts[0];
  if (!first || textCodingOf(dataCoding) === null) return '';
  const body = udhi ? first.subarray(udhLength(first) ?? 0) : first;
  // Receipts are ASCII: anything else shows as '?'.
  return decodeText(body, dataCoding).slice(0, 20).replace(/[^\x20-\x7e]/g, '?');
}

/** The simulator SMSC as configured (SWITCHBOARD_SIM_SMPP_*), over the simulated network. */
export function createSimSmsc(deps: {
  config: Config;
  network: SimulatedNetwork;
  store: Pick<Store, 'jobs' | 'simSmsc'>;
  clock: Clock;
  log: FastifyBaseLogger;
  takeMo: boolean;
}): SimSmsc {
  const { config } = deps;
  return new SimSmsc({
    network: deps.network,
    store: deps.store,
    clock: deps.clock,
    log: deps.log,
    settings: config.simSmpp,
    password: config.simSmppPassword,
    port: config.simSmppPort ?? 0,
    tls: config.simSmppTls,
    takeMo: deps.takeMo,
    keepMs: config.networkRetryWindowS * 1000,
    leaseMs: config.jobLeaseMs,
  });
}
