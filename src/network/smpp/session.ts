/**
 * One SMPP connection with a Promise API, either side of it: an ESME connection we opened
 * (`SmppSession.connect`) or one an ESME opened to our simulator SMSC (`listenSmpp`). The `smpp`
 * codec frames and encodes PDUs; everything about the session's life is ours (dependencies.md §3):
 *
 * - requests go through a `Window` (bounded in-flight, per-PDU timeout, all rejected on close);
 * - `enquire_link` from the peer is answered here, and one is sent after `enquireLinkMs` of silence —
 *   unanswered, the connection is declared dead;
 * - any codec error (a PDU that does not parse leaves the codec deaf for good: defect 7) closes the
 *   connection, so the owner reconnects instead of waiting on a session that reads nothing.
 *
 * Requests from the peer other than enquire_link are emitted as `request`; the listener must answer
 * each one with `respond`.
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import smpp from 'smpp';
import type { SmppTls } from '../../config.js';
import { SmppError } from './errors.js';
import { newPdu, type Pdu, SMPP_VERSION_34, STATUS, statusName, systemIdOf } from './pdu.js';
import { Window } from './window.js';

export interface SessionOptions {
  /** Requests in flight at once (submit_sm, deliver_sm, …), default 10. */
  readonly window: number;
  /** How long a request waits for its response. */
  readonly responseTimeoutMs: number;
  /** Send enquire_link after this much silence from the peer; 0 = never. */
  readonly enquireLinkMs: number;
}

export type BindType = 'transceiver' | 'transmitter' | 'receiver';

export interface BindCredentials {
  readonly systemId: string;
  readonly password: string;
  readonly systemType?: string;
}

interface SessionEvents {
  request: [Pdu];
  close: [Error | undefined];
}

/** OpenSSL's verification failures that a setting fixes, not a retry. */
const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);

/** What to do about a failed TLS connect, when the error says. */
function tlsHint(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (UNTRUSTED.has(code)) return " (the SMSC's certificate does not chain to the system's roots or to SWITCHBOARD_SMPP_TLS_CA)";
  if (code === 'CERT_HAS_EXPIRED') return " (the SMSC's certificate has expired)";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return " (the URL's host is not a name on the SMSC's certificate)";
  if (code === 'ECONNRESET' || /before secure TLS connection/.test(err.message)) return ' (is it an SMPP port without TLS? then use smpp://)';
  return '';
}

export class SmppSession extends EventEmitter<SessionEvents> {
  readonly #codec: smpp.Session;
  readonly #window: Window<Pdu>;
  readonly #options: SessionOptions;
  readonly #roomWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  #closed = false;
  #corked = false;
  #closing = false;
  #closeError: Error | undefined;
  #lastHeard = Date.now();
  #keepAlive: NodeJS.Timeout | undefined;
  #enquiring = false;
  /** Responses that arrived after their request timed out. */
  lateResponses = 0;
  timeouts = 0;
  /** enquire_link requests the peer sent us (answered here). */
  peerEnquireLinks = 0;

  /**
   * Opens a TCP connection, or a TLS one when `tls` is given (the SMSC's certificate checked against
   * `tls.ca` or the system's roots, and its name against `host`); no bind yet. Rejects when it
   * cannot connect (and finish the TLS handshake) within `connectTimeoutMs`.
   */
  static connect(host: string, port: number, options: SessionOptions, connectTimeoutMs = 5000, tls?: SmppTls): Promise<SmppSession> {
    return new Promise((resolve, reject) => {
      // SNI carries a name only; an SMSC reached by address is still checked against that address.
      const codec = smpp.connect(tls === undefined ? { host, port } : { host, port, tls: true, ...tls, servername: isIP(host) === 0 ? host : undefined });
      const ready = tls === undefined ? 'connect' : 'secureConnect';
      const fail = (err: Error) => {
        clearTimeout(timer);
        codec.removeAllListeners(ready);
        codec.destroy();
        reject(new SmppError('LINK_DOWN', `cannot connect to ${host}:${port}${tls === undefined ? '' : ' over TLS'}: ${err.message}${tls === undefined ? '' : tlsHint(err)}`));
      };
      const timer = setTimeout(() => fail(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      codec.once('error', fail);
      codec.once(ready, () => {
        clearTimeout(timer);
        codec.removeListener('error', fail);
        resolve(new SmppSession(codec, options));
      });
    });
  }

  /** Wraps a connection accepted by `listenSmpp`. */
  static accept(codec: smpp.Session, options: SessionOptions): SmppSession {
    return new SmppSession(codec, options);
  }

  private constructor(codec: smpp.Session, options: SessionOptions) {
    super();
    this.#codec = codec;
    this.#options = options;
    this.#window = new Window<Pdu>(options.window);
    codec.socket.setNoDelay(true); // small PDUs, request/response: Nagle would add 40 ms stalls
    codec.on('pdu', (pdu: Pdu) => this.#onPdu(pdu));
    codec.on('error', (err: Error) => this.destroy(new SmppError('PROTOCOL', `connection error: ${err.message}`)));
    codec.on('close', () => this.#onClose());
    if (options.enquireLinkMs > 0) {
      this.#keepAlive = setInterval(() => this.#checkAlive(), Math.max(10, Math.floor(options.enquireLinkMs / 2)));
      this.#keepAlive.unref();
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** False from the moment `close`/`destroy` is called (the socket may take a moment to go). */
  get open(): boolean {
    return !this.#closed && !this.#closing;
  }

  /** Requests waiting for a response (window slots in use). */
  get inFlight(): number {
    return this.#window.inUse;
  }

  get windowSize(): number {
    return this.#window.size;
  }

  get remoteAddress(): string {
    return `${this.#codec.socket.remoteAddress ?? '?'}:${this.#codec.socket.remotePort ?? '?'}`;
  }

  hasRoom(): boolean {
    return !this.#closed && this.#window.hasRoom();
  }

  /** Resolves once a window slot is free; rejects when the session closes first. */
  waitForRoom(): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (this.#window.hasRoom()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#roomWaiters.push({ resolve, reject }));
  }

  /**
   * Sends a request and resolves with its response PDU whatever its command_status; rejects on
   * timeout or close. Takes a window slot unless `control` (enquire_link, unbind); throws when the
   * window is full — callers wait with `waitForRoom` or check `hasRoom`.
   */
  request(pdu: Pdu, control = false): Promise<Pdu> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (!control && !this.#window.hasRoom()) return Promise.reject(new RangeError('window full'));
    if (!this.#send(pdu)) return Promise.reject(new SmppError('LINK_DOWN', 'connection is not writable'));
    return this.#window.open(pdu.sequence_number, {
      command: pdu.command,
      timeoutMs: this.#options.responseTimeoutMs,
      control,
      onTimeout: () => {
        this.timeouts++;
        // Nothing at all from the peer for a whole response timeout (no answer, no enquire_link):
        // it is gone or stalled. Dropping the session hands the queued submits back unwritten;
        // kept, it was fed one window per timeout until enquire_link noticed, and each of those
        // submits was sent again later (duplicates).
        if (!control && Date.now() - this.#lastHeard >= this.#options.responseTimeoutMs) {
          this.destroy(new SmppError('RESPONSE_TIMEOUT', `nothing from the SMSC for ${this.#options.responseTimeoutMs} ms: the peer is gone or stalled`));
        }
        this.#wakeRoomWaiters();
      },
    }).finally(() => this.#wakeRoomWaiters());
  }

  /**
   * Writes a PDU. The PDUs written during one event-loop turn (a window of submits, the responses
   * to a burst of deliver_sm) leave in one socket write instead of one syscall each.
   */
  #send(pdu: Pdu): boolean {
    const socket = this.#codec.socket;
    if (!this.#corked && socket.writable) {
      this.#corked = true;
      socket.cork();
      setImmediate(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    return this.#codec.send(pdu);
  }

  /** Answers a request from the peer. */
  respond(to: Pdu, status: number = STATUS.ROK, fields: Record<string, unknown> = {}): void {
    if (this.#closed) return;
    this.#send(to.response({ ...fields, command_status: status }));
  }

  /** Binds as an ESME; resolves with the SMSC's system_id, rejects with BIND_FAILED and its status. */
  async bind(type: BindType, credentials: BindCredentials): Promise<string> {
    const response = await this.request(
      newPdu(`bind_${type}`, {
        system_id: credentials.systemId,
        password: credentials.password,
        system_type: credentials.systemType ?? '',
        interface_version: SMPP_VERSION_34,
      }),
      true,
    );
    if (response.command_status !== STATUS.ROK) {
      throw new SmppError('BIND_FAILED', `bind_${type} refused: ${statusName(response.command_status)}`, response.command_status);
    }
    return systemIdOf(response);
  }

  /** Graceful end: unbind (answered or not within the response timeout), then close the socket. */
  async unbind(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.request(newPdu('unbind'), true);
    } catch {
      // The peer is gone or silent; closing is all that is left to do.
    }
    this.close();
  }

  /** Half-closes after pending writes flush; in-flight requests are rejected when the socket closes. */
  close(): void {
    if (this.#closed) return;
    this.#closing = true;
    this.#codec.close();
    // A peer that never closes its side would keep the socket half-open forever.
    setTimeout(() => this.destroy(), 1000).unref();
  }

  destroy(err?: Error): void {
    this.#closing = true;
    if (err && !this.#closeError) this.#closeError = err;
    this.#codec.destroy();
  }

  #onPdu(pdu: Pdu): void {
    this.#lastHeard = Date.now();
    if (pdu.isResponse()) {
      if (!this.#window.settle(pdu.sequence_number, pdu)) this.lateResponses++;
      return;
    }
    switch (pdu.command) {
      case 'enquire_link':
        this.peerEnquireLinks++;
        this.respond(pdu);
        return;
      case 'unknown':
        this.respond(pdu, STATUS.RINVCMDID);
        return;
      default:
        if (this.listenerCount('request') === 0) this.respond(pdu, STATUS.RSYSERR);
        else this.emit('request', pdu);
    }
  }

  #checkAlive(): void {
    if (this.#closed || this.#enquiring || Date.now() - this.#lastHeard < this.#options.enquireLinkMs) return;
    this.#enquiring = true;
    this.request(newPdu('enquire_link'), true).then(
      () => {
        this.#enquiring = false;
      },
      (err: Error) => {
        this.#enquiring = false;
        if (err instanceof SmppError && err.code === 'RESPONSE_TIMEOUT') {
          this.destroy(new SmppError('RESPONSE_TIMEOUT', 'enquire_link unanswered: the peer is gone'));
        }
      },
    );
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    const err = this.#closedError();
    this.#window.failAll(err);
    for (const w of this.#roomWaiters.splice(0)) w.reject(err);
    this.emit('close', this.#closeError);
  }

  #closedError(): SmppError {
    return new SmppError('CONNECTION_CLOSED', `connection closed${this.#closeError ? `: ${this.#closeError.message}` : ''}`);
  }

  #wakeRoomWaiters(): void {
    while (this.#roomWaiters.length > 0 && this.#window.hasRoom()) this.#roomWaiters.shift()?.resolve();
  }
}

/** A listening SMPP server (the simulator SMSC's socket). */
export interface SmppListener {
  readonly port: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/**
 * Listens on host:port (over TLS with `tls`'s certificate and key) and hands each accepted
 * connection to `onSession`; `onTlsError` hears why each TLS handshake that failed did, which no
 * session sees.
 */
export function listenSmpp(
  host: string,
  port: number,
  options: SessionOptions,
  onSession: (session: SmppSession) => void,
  tls?: { readonly cert: string; readonly key: string },
  onTlsError?: (reason: string) => void,
): Promise<SmppListener> {
  const sessions = new Set<SmppSession>();
  const server = smpp.createServer(tls === undefined ? {} : { cert: tls.cert, key: tls.key }, (codec) => {
    const session = SmppSession.accept(codec, options);
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    onSession(session);
  });
  // The TLS socket is destroyed by then, its address gone: the reason is what there is to say.
  if (tls !== undefined && onTlsError !== undefined) server.on('tlsClientError', (err: Error) => onTlsError(err.message));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sessions) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
