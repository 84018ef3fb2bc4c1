/**
 * The gateway as an ESME: the `Connector` port over one or more SMPP links to the SMSC named by
 * SWITCHBOARD_SMPP_URL.
 *
 * Submit: the text is segmented by us (src/sms/segment.ts) and each part goes out as its own
 * submit_sm with a concatenation UDH (esm_class UDHI), or the whole text as one submit_sm with
 * `message_payload` when configured; payloads are Buffers with an explicit data_coding, never the
 * codec's guess; data_coding 0 is written in the SMSC's default alphabet
 * (SWITCHBOARD_SMPP_DEFAULT_ALPHABET), and an MO's is read in it. Every accepted part's SMSC id is
 * stored before submit resolves, so a receipt finds its recipient after a restart. A retry after a
 * partial failure sends only the parts not yet accepted, with the same concatenation reference, so
 * the handset still joins them.
 *
 * Receive: deliver_sm is a receipt (→ ReceiptTracker) or an MO (→ inbound, whole or by part); it
 * is acknowledged only after the core has stored it, otherwise answered ESME_RX_T_APPN so the
 * SMSC redelivers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../clock.js';
import { certificateSummary, type Config, isTlsSmppUrl, readSmppTls, SMPP_LEASE_MARGIN_MS, type SmppTls } from '../../config.js';
import { canEncode, type DefaultAlphabet, detectEncoding, encodeText } from '../../sms/encoding.js';
import { buildUserData, segmentText, type SegmentedMessage } from '../../sms/segment.js';
import type { SmppRepo } from '../../store/repos/smpp.js';
import { StoreUnavailableError } from '../../store/store.js';
import type { Connector, ConnectorEvents, SubmitRequest, SubmitResult } from '../connector.js';
import { isReceipt, parseReceipt } from './dlr.js';
import { SmppError } from './errors.js';
import { idKeys } from './ids.js';
import { SmppLink, type LinkStats, type SubmitAnswer } from './link.js';
import { readMo } from './mo.js';
import { addressOf, ESM_CLASS, type Pdu, readDeliverSm, STATUS, type SubmitSmFields } from './pdu.js';
import { type ReceiptStats, ReceiptTracker, type TrackerLog } from './receipts.js';
import { classifyFailure } from './status.js';

export interface SmppConnectorOptions {
  readonly settings: Config['smpp'];
  readonly repo: SmppRepo;
  readonly clock: Clock;
  readonly log: TrackerLog & { debug(obj: object, msg: string): void };
  /**
   * How long a submitted message may wait for its receipts (the network retry window and then
   * some); one still without them then is settled as uncertain.
   */
  readonly keepOpenMs: number;
}

export interface SmscEndpoint {
  readonly host: string;
  readonly port: number;
  /** `smpps://` (or `ssmpp://`): SMPP over TLS. */
  readonly tls: boolean;
  readonly systemId: string;
  readonly password: string;
}

/**
 * `smpp://system_id:password@host:port` (port 2775 when absent; user and password URL-decoded), or
 * `smpps://…` over TLS (port 3550 when absent, the port node-smpp and several SMSCs use for it).
 */
export function parseSmppUrl(url: string): SmscEndpoint {
  const u = new URL(url);
  const tls = isTlsSmppUrl(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? (tls ? 3550 : 2775) : Number(u.port),
    tls,
    systemId: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

/** One link as the admin API shows it: the session counters plus what its deliver_sm carried. */
export type SmppLinkReport = LinkStats & { readonly receipts: number; readonly mo: number };

/** What the admin API shows about the SMSC links. */
export interface SmppReport {
  readonly smsc: string;
  /** The binds are over TLS (smpps://). */
  readonly tls: boolean;
  /** What data_coding 0 is written and read in (SWITCHBOARD_SMPP_DEFAULT_ALPHABET). */
  readonly defaultAlphabet: DefaultAlphabet;
  readonly links: readonly SmppLinkReport[];
  readonly receipts: ReceiptStats & { readonly held: number; readonly unmatched: number; readonly unreadable: number };
  readonly mo: number;
}

/** registered_delivery: SMSC delivery receipt on success and on failure (§5.2.17). */
const RECEIPT_ANY = 0x01;

/** How long a part the SMSC accepted is stored again while the store is out, for a submit without a lease. */
const RECORD_RETRY_MS = 60_000;

export class SmppConnector implements Connector {
  readonly name = 'smpp';
  readonly defaultAlphabet: DefaultAlphabet;
  readonly #o: SmppConnectorOptions;
  readonly #endpoint: SmscEndpoint;
  readonly #links: SmppLink[] = [];
  /** What the next TLS connect trusts and presents: the settings, until a reload (SIGHUP) replaces them. */
  #tls: SmppTls | undefined;
  #events: ConnectorEvents | undefined;
  #tracker: ReceiptTracker | undefined;
  #up = false;
  #next = 0;
  #unreadable = 0;
  #mo = 0;
  readonly #perLink = new Map<string, { receipts: number; mo: number }>();

  constructor(options: SmppConnectorOptions) {
    this.#o = options;
    if (options.settings.url === undefined) throw new Error('SWITCHBOARD_SMPP_URL is required for the smpp network');
    this.#endpoint = parseSmppUrl(options.settings.url);
    this.#tls = this.#endpoint.tls ? (options.settings.tls ?? {}) : undefined;
    this.defaultAlphabet = options.settings.defaultAlphabet;
  }

  async start(events: ConnectorEvents): Promise<void> {
    const { settings, repo, clock, log } = this.#o;
    this.#events = events;
    this.#tracker = new ReceiptTracker({
      repo,
      clock,
      log,
      emit: (r) => events.onReceipt(r),
      holdMs: settings.receiptHoldS * 1000,
      retryMs: settings.receiptRetryMs,
      graceMs: settings.partReceiptGraceS * 1000,
      finalKeepMs: Math.max(settings.receiptHoldS, settings.receiptKeepS) * 1000,
      openKeepMs: this.#o.keepOpenMs,
      ownPartWaitMs: settings.responseTimeoutMs,
    });
    await this.#tracker.start();
    for (let i = 1; i <= settings.binds; i++) {
      const link = new SmppLink({
        name: `${this.#endpoint.host}:${this.#endpoint.port}#${i}`,
        host: this.#endpoint.host,
        port: this.#endpoint.port,
        tls: this.#endpoint.tls ? () => this.#tls ?? {} : undefined,
        mode: settings.bindMode,
        credentials: { systemId: this.#endpoint.systemId, password: this.#endpoint.password, systemType: settings.systemType },
        session: { window: settings.window, responseTimeoutMs: settings.responseTimeoutMs, enquireLinkMs: settings.enquireLinkMs },
        throughputPerSecond: settings.throughputPerSecond,
        reconnectBaseMs: settings.reconnectBaseMs,
        reconnectCapMs: settings.reconnectCapMs,
        credentialsRetryMs: settings.credentialsRetryMs,
        throttleBaseMs: settings.throttleBackoffMs,
        throttleCapMs: settings.throttleBackoffMs * 25,
        throttleGiveUpMs: settings.throttleGiveUpMs,
        log,
        onDeliver: (pdu, name) => this.#onDeliver(pdu, name),
        onStateChange: () => this.#linkChanged(),
      });
      this.#links.push(link);
      link.start();
    }
  }

  isUp(): boolean {
    return this.#links.some((l) => l.bound);
  }

  /**
   * Reads the TLS files again (SIGHUP, after a renewal of the client certificate or the SMSC's CA):
   * binds made from now on use them; those up keep theirs. Files that do not read or match, or a
   * client certificate not valid now, are refused (logged), and the settings in use stay: false
   * then. Undefined when there are no TLS files to read.
   */
  reloadTls(): boolean | undefined {
    const files = this.#o.settings.tls?.files;
    if (files === undefined || (files.caFile === undefined && files.certFile === undefined)) return undefined;
    const { log } = this.#o;
    try {
      const tls = readSmppTls(files);
      const client = tls.cert === undefined ? undefined : certificateSummary(tls.cert);
      if (client?.valid === false) throw new Error(`SWITCHBOARD_SMPP_TLS_CERT: ${files.certFile} is not valid now (valid to ${client.validTo})`);
      this.#tls = tls;
      log.info({ ca: files.caFile, cert: files.certFile, ...client }, 'smpp tls files reloaded; binds made from now on use them');
      return true;
    } catch (err) {
      log.error({ ca: files.caFile, cert: files.certFile, key: files.keyFile, reason: err instanceof Error ? err.message : String(err) }, 'smpp tls files not reloaded; the ones in use stay');
      return false;
    }
  }

  refuseSubmits(): void {
    for (const link of this.#links) link.refuse();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#links.map((l) => l.stop()));
    await this.#tracker?.stop();
  }

  async report(): Promise<SmppReport> {
    const counts = await this.#o.repo.counts();
    const receipts = this.#tracker?.stats() ?? { received: 0, matched: 0, matchedLate: 0, finals: 0, settledByGrace: 0, settledUncertain: 0 };
    return {
      smsc: `${this.#endpoint.host}:${this.#endpoint.port}`,
      tls: this.#endpoint.tls,
      defaultAlphabet: this.defaultAlphabet,
      links: this.linkReport(),
      receipts: { ...receipts, ...counts, unreadable: this.#unreadable },
      mo: this.#mo,
    };
  }

  /** Each link's state and counters, without touching the store (metrics go on in a store outage). */
  linkReport(): SmppReport['links'] {
    return this.#links.map((l) => ({ ...l.stats(), ...(this.#perLink.get(l.name) ?? { receipts: 0, mo: 0 }) }));
  }

  /** Link summaries without touching the store (for /healthz). */
  linkStates(): Array<Pick<LinkStats, 'name' | 'bound' | 'receiverBound'>> {
    return this.#links.map((l) => {
      const s = l.stats();
      return { name: s.name, bound: s.bound, receiverBound: s.receiverBound };
    });
  }

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const link = this.#pickLink();
    if (!link) return classifyFailure(new SmppError('LINK_DOWN', 'no SMPP link is bound'));
    const alphabet = this.defaultAlphabet;
    // Send SMS chose the encoding for this alphabet; a message accepted under another setting (the
    // alphabet changed, or another instance's differs) that this one cannot carry is chosen again
    // rather than refused: the stored encoding and part count are then off for it, not the text.
    const encoding = canEncode(request.text, request.encoding, alphabet) ? request.encoding : detectEncoding(request.text, alphabet);
    let message: SegmentedMessage;
    try {
      message = segmentText(request.text, { encoding, alphabet });
    } catch (err) {
      return { ok: false, kind: 'permanent', code: 'ENCODING', detail: err instanceof Error ? err.message : String(err) };
    }
    const { repo, clock, settings } = this.#o;
    // A part still queued when its job's lease is about to end comes back unsent (LINK_BUSY): one
    // written by then is answered (or timed out) and stored while the lease holds, so the job's
    // next claim never sends a part this attempt still has queued. sendBy is on the link's clock
    // (Date.now()), heldUntil on the store's.
    const sendBy = request.heldUntil === undefined ? Infinity : Date.now() + (request.heldUntil - clock.now()) - settings.responseTimeoutMs - SMPP_LEASE_MARGIN_MS;
    const payloadMode = settings.useMessagePayload && message.segments.length > 1;
    const total = payloadMode ? 1 : message.segments.length;
    // A retry sends only the parts an earlier attempt did not get accepted (see above).
    const existing = request.firstAttempt === true ? undefined : await repo.message(request.recipientId);
    // A new long message's reference comes from the store, whose counter per destination every
    // instance shares: two long messages to one handset under one reference get their parts mixed.
    const opening = {
      recipientId: request.recipientId,
      messageId: request.messageId,
      total,
      concatRef: total > 1 && existing === undefined ? await repo.nextConcatRef(request.to, clock.now()) : 0,
      createdAt: clock.now(),
    };
    // The concatenation reference of a multi-part message is kept before any part goes, so a
    // resend reuses it; a single part has none, and its row is written with the part.
    const openWithPart = existing === undefined && total === 1;
    const concatRef = existing?.message.concatRef ?? (openWithPart ? 0 : (await repo.openMessage(opening)).concatRef);
    const accepted = new Map((existing?.parts ?? []).map((p) => [p.part, p.smscId]));
    const pdus = this.#pdus(request, message, concatRef, payloadMode).filter((p) => !accepted.has(p.part));

    // A part the SMSC accepted is stored by the time the job's lease ends, or the job's next claim
    // would send it again.
    const recordBy = request.heldUntil === undefined ? Date.now() + RECORD_RETRY_MS : Date.now() + (request.heldUntil - clock.now()) - SMPP_LEASE_MARGIN_MS;
    const outcomes = await Promise.allSettled(
      pdus.map(async ({ part, fields }): Promise<SubmitAnswer> => {
        const answer = await link.submit(fields, sendBy);
        if (answer.status === STATUS.ROK) {
          const keys = idKeys(answer.messageId);
          const record = { recipientId: request.recipientId, part, smscId: answer.messageId, idKey: keys.key, idDec: keys.dec, idHex: keys.hex, submittedAt: clock.now() };
          const written = this.#recordAccepted(record, openWithPart ? opening : undefined, recordBy);
          this.#tracker?.partRecording(keys, written);
          await written;
          accepted.set(part, answer.messageId);
        }
        return answer;
      }),
    );
    const failures = outcomes.map((o) =>
      o.status === 'rejected' ? classifyFailure(o.reason) : o.value.status === STATUS.ROK ? null : classifyFailure(o.value.status),
    );
    const failure = failures.find((f) => f?.kind === 'permanent') ?? failures.find((f) => f !== null);
    if (failure) return failure;
    const ids = [...accepted.entries()].sort((a, b) => a[0] - b[0]).map(([, id]) => id);
    return { ok: true, networkId: ids.join(',') };
  }

  /**
   * Stores a part the SMSC accepted, again and again while the store is unavailable, until `by`
   * (the link's clock). A failed record failed the submit, and its retry sent the part a second
   * time: the handset got the message twice (an operator trial, PostgreSQL connections cut). The
   * write is an upsert of the part, so one whose outcome was unknown may run again.
   */
  async #recordAccepted(record: Parameters<SmppRepo['recordPart']>[0], opening: Parameters<SmppRepo['recordPart']>[1], by: number): Promise<void> {
    let delay = 50;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#o.repo.recordPart(record, opening);
        return;
      } catch (err) {
        if (!(err instanceof StoreUnavailableError) || Date.now() + delay > by) throw err;
        if (attempt === 1) this.#o.log.warn({ recipientId: record.recipientId, part: record.part, reason: err.message }, 'smpp part accepted by the SMSC but not stored yet; storing it again');
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  /** One submit_sm per part (UDH when several), or one with message_payload. */
  #pdus(request: SubmitRequest, message: SegmentedMessage, concatRef: number, payloadMode: boolean): Array<{ part: number; fields: SubmitSmFields }> {
    const base = {
      source: addressOf(request.from, this.#o.settings.numbering),
      destination: addressOf(request.to, this.#o.settings.numbering),
      dataCoding: message.dataCoding,
      registeredDelivery: request.wantReceipt ? RECEIPT_ANY : 0,
    };
    if (payloadMode) {
      const whole = encodeText(request.text, message.encoding, this.defaultAlphabet);
      return [{ part: 1, fields: { ...base, esmClass: 0, shortMessage: Buffer.alloc(0), messagePayload: whole } }];
    }
    const userData = buildUserData(message, concatRef);
    const esmClass = userData.length > 1 ? ESM_CLASS.UDHI : 0;
    return userData.map((shortMessage, i) => ({ part: i + 1, fields: { ...base, esmClass, shortMessage } }));
  }

  /** A bound link, the least busy, round-robin among equals. */
  #pickLink(): SmppLink | undefined {
    const bound = this.#links.filter((l) => l.bound);
    if (bound.length === 0) return undefined;
    this.#next = (this.#next + 1) % bound.length;
    const rotated = [...bound.slice(this.#next), ...bound.slice(0, this.#next)];
    return rotated.reduce((best, l) => (l.load < best.load ? l : best));
  }

  #linkChanged(): void {
    const up = this.isUp();
    if (up === this.#up) return;
    this.#up = up;
    this.#events?.onStateChange(up);
  }

  async #onDeliver(pdu: Pdu, linkName: string): Promise<number> {
    const events = this.#events;
    const tracker = this.#tracker;
    if (!events || !tracker) return STATUS.RX_T_APPN;
    const { clock, log } = this.#o;
    const counts = this.#perLink.get(linkName) ?? { receipts: 0, mo: 0 };
    this.#perLink.set(linkName, counts);
    const d = readDeliverSm(pdu);
    const userData = d.messagePayload && d.messagePayload.length > 0 ? d.messagePayload : d.shortMessage;
    const text = userData.toString('latin1');
    if (isReceipt({ esmClass: d.esmClass, text, receiptedMessageId: d.receiptedMessageId })) {
      const receipt = parseReceipt({
        esmClass: d.esmClass,
        text,
        receiptedMessageId: d.receiptedMessageId,
        messageState: d.messageState,
        networkErrorCode: d.networkErrorCode,
      });
      if (!receipt) {
        this.#unreadable++;
        log.warn({ text, receiptedMessageId: d.receiptedMessageId, messageState: d.messageState }, 'smpp receipt without message id or state: counted as unreadable');
        return STATUS.ROK;
      }
      await tracker.receive(receipt, clock.now());
      counts.receipts++;
      return STATUS.ROK;
    }
    const mo = readMo(d, clock.now(), this.defaultAlphabet);
    switch (mo.kind) {
      case 'whole':
        await events.onInbound(mo.message);
        this.#mo++;
        counts.mo++;
        return STATUS.ROK;
      case 'part':
        if (!events.onInboundPart) return STATUS.RX_T_APPN;
        try {
          await events.onInboundPart(mo.part);
        } catch (err) {
          // A part that can belong to no set (inbound says so with RangeError) will never be taken.
          if (!(err instanceof RangeError)) throw err;
          log.warn({ from: mo.part.from, to: mo.part.to, err: err.message }, 'smpp MO part refused');
          return STATUS.RX_P_APPN;
        }
        this.#mo++;
        counts.mo++;
        return STATUS.ROK;
      case 'unreadable':
        log.warn({ from: d.source.addr, to: d.destination.addr, reason: mo.reason }, 'smpp MO refused');
        return STATUS.RX_P_APPN;
    }
  }
}
