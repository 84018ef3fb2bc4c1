/**
 * One link to an SMSC: a transceiver bind, or a transmitter + receiver pair, kept alive by
 * `BindKeeper`s, plus the submit path — a queue in submit order, drained into the transmit
 * session's window as the throughput cap (token bucket, in parts/s) allows.
 *
 * Throttling: an `ESME_RTHROTTLED` or `ESME_RMSGQFUL` answer pauses the whole link with capped
 * exponential back-off, and the refused PDU goes back into the queue at its original place, so
 * order is kept and the caller — who still waits on the same promise — never sees the refusal
 * unless the SMSC keeps refusing for `throttleGiveUpMs` (then the answer is returned and dispatch
 * retries later). Receipt mapping is untouched: a refused PDU never got a message id.
 *
 * A submit may come with a time to be written by (`sendBy`): its job's lease ends soon after, and
 * the job's next claim would send it again while this copy still waits. One still queued then is
 * handed back as LINK_BUSY, one throttled after it with the SMSC's status, never queued again:
 * the SMSC took neither, so dispatch can retry it under the lease it still holds.
 */
import { backoffDelay } from '../../dispatch/backoff.js';
import { BindKeeper, type BindLog } from './bind.js';
import { SmppError } from './errors.js';
import { messageIdOf, type Pdu, STATUS, statusName, type SubmitSmFields, submitSmPdu } from './pdu.js';
import type { SmppTls } from '../../config.js';
import type { BindCredentials, SessionOptions, SmppSession } from './session.js';
import { TokenBucket } from './token-bucket.js';

export interface LinkOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** SMPP over TLS (smpps://): the settings for the next connect (read again on SIGHUP). */
  readonly tls?: () => SmppTls;
  readonly mode: 'transceiver' | 'pair';
  readonly credentials: BindCredentials;
  readonly session: SessionOptions;
  /** Parts per second on this link; 0 = no cap. */
  readonly throughputPerSecond: number;
  readonly reconnectBaseMs: number;
  readonly reconnectCapMs: number;
  /** First retry after the SMSC refused the credentials (see BindKeeper). */
  readonly credentialsRetryMs: number;
  readonly throttleBaseMs: number;
  readonly throttleCapMs: number;
  readonly throttleGiveUpMs: number;
  readonly log: BindLog;
  /** A deliver_sm / data_sm from the SMSC on this link; resolves with the command_status to answer. */
  readonly onDeliver: (pdu: Pdu, link: string) => Promise<number>;
  /** The transmit side went up or down. */
  readonly onStateChange: (up: boolean) => void;
}

/** The SMSC's answer to one submit_sm. */
export interface SubmitAnswer {
  readonly status: number;
  /** The SMSC's message id ('' when refused). */
  readonly messageId: string;
}

interface Queued {
  readonly order: number;
  readonly fields: SubmitSmFields;
  readonly resolve: (answer: SubmitAnswer) => void;
  readonly reject: (err: Error) => void;
  /** Date.now() by which it must be written; Infinity when the caller set no limit. */
  readonly sendBy: number;
  throttledSince: number | undefined;
  expiry: NodeJS.Timeout | undefined;
}

/**
 * A submit leaving the queue, its send-by timer disarmed: left armed, the timer would keep the
 * submit (PDU fields, promise) until its sendBy, most of a lease after its answer, tens of
 * thousands at once under a burst that fills the window.
 */
function disarmed(item: Queued): Queued {
  clearTimeout(item.expiry);
  item.expiry = undefined;
  return item;
}

export interface LinkStats {
  readonly name: string;
  readonly mode: 'transceiver' | 'pair';
  readonly bound: boolean;
  readonly receiverBound: boolean;
  readonly windowSize: number;
  readonly windowInUse: number;
  readonly queued: number;
  readonly submitted: number;
  readonly refused: number;
  /** The status of the last submit the SMSC refused, e.g. `ESME_RINVSRCTON` (null: none yet). */
  readonly lastRefusal: string | null;
  readonly throttled: number;
  /** deliver_sm / data_sm received (receipts and MO). */
  readonly deliverSm: number;
  readonly reconnects: number;
  readonly responseTimeouts: number;
  readonly pausedUntil: number | null;
  readonly lastError: string | null;
}

export class SmppLink {
  readonly #o: LinkOptions;
  readonly #tx: BindKeeper;
  readonly #rx: BindKeeper | undefined;
  readonly #bucket: TokenBucket;
  readonly #queue: Queued[] = [];
  #order = 0;
  #pausedUntil = 0;
  #throttleStreak = 0;
  /** PDUs written so far, and how many had been when the current throttling pause began. */
  #written = 0;
  #writtenAtPause = 0;
  #pumpTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  #submitted = 0;
  #refused = 0;
  #lastRefusal: string | null = null;
  #throttled = 0;
  #delivered = 0;
  #timeouts = 0;
  #lastTx: SmppSession | undefined;

  constructor(options: LinkOptions) {
    this.#o = options;
    this.#bucket = new TokenBucket(options.throughputPerSecond);
    const keeper = (type: 'transceiver' | 'transmitter' | 'receiver') =>
      new BindKeeper({
        name: options.name,
        host: options.host,
        port: options.port,
        tls: options.tls,
        type,
        credentials: options.credentials,
        session: options.session,
        reconnectBaseMs: options.reconnectBaseMs,
        reconnectCapMs: options.reconnectCapMs,
        credentialsRetryMs: options.credentialsRetryMs,
        log: options.log,
        onRequest: (session, pdu) => this.#onRequest(session, pdu),
        onChange: (session) => {
          if (type === 'receiver') return;
          if (this.#lastTx && this.#lastTx !== session) this.#timeouts += this.#lastTx.timeouts;
          this.#lastTx = session;
          if (session) this.#pump();
          options.onStateChange(session !== undefined);
        },
      });
    this.#tx = keeper(options.mode === 'pair' ? 'transmitter' : 'transceiver');
    this.#rx = options.mode === 'pair' ? keeper('receiver') : undefined;
  }

  get name(): string {
    return this.#o.name;
  }

  /** True while submits can be written. */
  get bound(): boolean {
    return this.#tx.bound && !this.#stopping;
  }

  /** Queue + in flight: how busy the link is, to spread submits over binds. */
  get load(): number {
    return this.#queue.length + (this.#tx.session?.inFlight ?? 0);
  }

  start(): void {
    this.#tx.start();
    this.#rx?.start();
  }

  /**
   * Refuses new submits and hands back the queued ones (STOPPING) without writing them; those
   * already written go on to their answer or their response timeout.
   */
  refuse(): void {
    this.#stopping = true;
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    for (const q of this.#unqueue(0, this.#queue.length)) q.reject(new SmppError('STOPPING', 'link stopping'));
  }

  /** Refuses new submits, lets in-flight ones answer, then unbinds every session. */
  async stop(): Promise<void> {
    this.refuse();
    await this.#drain();
    await Promise.all([this.#tx.stop(), this.#rx?.stop()]);
  }

  /**
   * Queues one submit_sm; resolves with the SMSC's answer (a refusal is an answer, not an error),
   * rejects with SmppError when the link is down, the response never came, or it could not be
   * written by `sendBy` (a Date.now() time; LINK_BUSY, see above).
   */
  submit(fields: SubmitSmFields, sendBy = Infinity): Promise<SubmitAnswer> {
    if (!this.bound) return Promise.reject(new SmppError(this.#stopping ? 'STOPPING' : 'LINK_DOWN', `link ${this.#o.name} is not bound`));
    return new Promise((resolve, reject) => {
      const item: Queued = { order: this.#order++, fields, sendBy, resolve, reject, throttledSince: undefined, expiry: undefined };
      this.#queue.push(item);
      this.#pump();
      // Usually written at once, and then its answer settles it. Still queued (the last: nothing
      // queued later can be ahead of it), it needs the timer that hands it back at its time,
      // until it leaves the queue (see disarmed).
      if (this.#queue.at(-1) === item) this.#watch(item);
    });
  }

  stats(): LinkStats {
    const session = this.#tx.session;
    return {
      name: this.#o.name,
      mode: this.#o.mode,
      bound: this.#tx.bound,
      receiverBound: this.#rx ? this.#rx.bound : this.#tx.bound,
      windowSize: this.#o.session.window,
      windowInUse: session?.inFlight ?? 0,
      queued: this.#queue.length,
      submitted: this.#submitted,
      refused: this.#refused,
      lastRefusal: this.#lastRefusal,
      throttled: this.#throttled,
      deliverSm: this.#delivered,
      reconnects: this.#tx.reconnects + (this.#rx?.reconnects ?? 0),
      responseTimeouts: this.#timeouts + (this.#lastTx?.timeouts ?? 0),
      pausedUntil: this.#pausedUntil > Date.now() ? this.#pausedUntil : null,
      lastError: this.#tx.lastError ?? this.#rx?.lastError ?? null,
    };
  }

  #pump(): void {
    if (this.#pumpTimer) return;
    const session = this.#tx.session;
    while (this.#queue.length > 0 && session && !session.closed && session.hasRoom()) {
      const pause = this.#pausedUntil - Date.now();
      if (pause > 0) return this.#pumpLater(pause);
      // Its expiry timer may not have run yet: never write one past its time.
      const head = this.#queue[0];
      if (head && head.sendBy <= Date.now()) {
        this.#expire(head);
        continue;
      }
      const wait = this.#bucket.take(1);
      if (wait > 0) return this.#pumpLater(wait);
      const item = this.#queue.shift();
      if (item) this.#send(session, disarmed(item));
    }
    if (this.#queue.length > 0 && (!session || session.closed)) {
      // Queued but never written: tell the callers now rather than hold them for a reconnect.
      for (const q of this.#unqueue(0, this.#queue.length)) q.reject(new SmppError('LINK_DOWN', `link ${this.#o.name} went down`));
    }
  }

  #pumpLater(ms: number): void {
    this.#pumpTimer = setTimeout(() => {
      this.#pumpTimer = undefined;
      this.#pump();
    }, ms);
    this.#pumpTimer.unref();
  }

  #send(session: SmppSession, item: Queued): void {
    const written = ++this.#written;
    session.request(submitSmPdu(item.fields)).then(
      (response) => {
        const status = response.command_status;
        if (status === STATUS.RTHROTTLED || status === STATUS.RMSGQFUL) {
          this.#throttled++;
          this.#pause(written);
          const now = Date.now();
          item.throttledSince ??= now;
          if (now - item.throttledSince < this.#o.throttleGiveUpMs && now < item.sendBy && !this.#stopping) {
            this.#requeue(item);
            return this.#pump();
          }
          this.#refused++;
          this.#lastRefusal = statusName(status);
          item.resolve({ status, messageId: '' });
          return this.#pump();
        }
        this.#throttleStreak = 0;
        if (status === STATUS.ROK) this.#submitted++;
        else {
          this.#refused++;
          this.#lastRefusal = statusName(status);
        }
        item.resolve({ status, messageId: status === STATUS.ROK ? messageIdOf(response) : '' });
        this.#pump();
      },
      (err: Error) => {
        item.reject(err);
        this.#pump();
      },
    );
  }

  /** Arms the timer that hands `item` back if it is still queued at its `sendBy`. */
  #watch(item: Queued): void {
    if (item.sendBy === Infinity || item.expiry !== undefined) return;
    item.expiry = setTimeout(() => this.#expire(item), Math.max(0, item.sendBy - Date.now()));
    item.expiry.unref();
  }

  /** Takes `count` submits out of the queue at `index` (see disarmed). */
  #unqueue(index: number, count: number): Queued[] {
    return this.#queue.splice(index, count).map(disarmed);
  }

  /** Hands back a submit still queued at its `sendBy`; one in flight meets its answer instead. */
  #expire(item: Queued): void {
    const i = this.#queue.indexOf(item);
    if (i < 0) return;
    this.#unqueue(i, 1);
    item.reject(new SmppError('LINK_BUSY', `link ${this.#o.name} could not send it in time (throughput cap, throttling or a full window)`));
  }

  /** Back into the queue at its original place, ahead of anything submitted after it. */
  #requeue(item: Queued): void {
    let i = 0;
    while (i < this.#queue.length && (this.#queue[i]?.order ?? Infinity) < item.order) i++;
    this.#queue.splice(i, 0, item);
    this.#watch(item);
  }

  /**
   * Pauses the bind after a throttling answer to the `written`-th PDU. A PDU written before the
   * pause in force began is part of the episode that caused it (a window throttled at once is one
   * signal, not ten: it took the pause to its cap at once); only one written after it, throttled
   * again, lengthens the next pause.
   */
  #pause(written: number): void {
    if (written <= this.#writtenAtPause) return;
    this.#throttleStreak++;
    this.#writtenAtPause = this.#written;
    const delay = backoffDelay(this.#throttleStreak, { baseMs: this.#o.throttleBaseMs, capMs: this.#o.throttleCapMs });
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + delay);
  }

  #onRequest(session: SmppSession, pdu: Pdu): void {
    if (pdu.command !== 'deliver_sm' && pdu.command !== 'data_sm') {
      session.respond(pdu, STATUS.RINVCMDID);
      return;
    }
    this.#delivered++;
    this.#o.onDeliver(pdu, this.#o.name).then(
      (status) => session.respond(pdu, status),
      () => session.respond(pdu, STATUS.RX_T_APPN), // not stored: the SMSC keeps it and redelivers
    );
  }

  /** Waits (bounded by the response timeout) for submits already written to be answered. */
  async #drain(): Promise<void> {
    const deadline = Date.now() + this.#o.session.responseTimeoutMs;
    while ((this.#tx.session?.inFlight ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
