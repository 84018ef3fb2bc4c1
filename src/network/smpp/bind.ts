/**
 * Keeps one bind to an SMSC alive: connect, bind, and on any loss reconnect with capped exponential
 * back-off (with jitter, so several binds do not hammer a recovering SMSC in step). A refused bind
 * is retried — operators fix the SMSC's side, the link comes up without a restart — and logged each
 * time. A refusal of the credentials (unknown system_id, wrong password or system_type) is retried
 * far more slowly and logged as an error: carriers lock an account after a few failed logins, and
 * a wrong setting does not fix itself within the reconnect schedule (Kannel stops such a bind).
 */
import { backoffDelay } from '../../dispatch/backoff.js';
import { SmppError } from './errors.js';
import { type Pdu, STATUS } from './pdu.js';
import type { SmppTls } from '../../config.js';
import { type BindCredentials, type BindType, type SessionOptions, SmppSession } from './session.js';

export interface BindLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Bind answers that say the credentials are wrong, not that the SMSC is busy or down. */
const CREDENTIALS_REFUSED = new Set<number>([STATUS.RINVPASWD, STATUS.RINVSYSID, STATUS.RINVSYSTYP]);

export interface KeeperOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** SMPP over TLS (smpps://): the settings for the next connect (read again on SIGHUP). */
  readonly tls?: () => SmppTls;
  readonly type: BindType;
  readonly credentials: BindCredentials;
  readonly session: SessionOptions;
  readonly reconnectBaseMs: number;
  readonly reconnectCapMs: number;
  /** First retry after the SMSC refused the credentials (doubling up to 15×). */
  readonly credentialsRetryMs: number;
  readonly log: BindLog;
  /** A request from the SMSC (deliver_sm, unbind, …); must answer it on `session`. */
  readonly onRequest: (session: SmppSession, pdu: Pdu) => void;
  /** Bound (session) or lost (undefined). */
  readonly onChange: (session: SmppSession | undefined) => void;
}

export class BindKeeper {
  readonly #o: KeeperOptions;
  #session: SmppSession | undefined;
  #running = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #connecting: Promise<void> | undefined;
  /** Sessions lost after having been bound. */
  reconnects = 0;
  lastError: string | undefined;

  constructor(options: KeeperOptions) {
    this.#o = options;
  }

  get session(): SmppSession | undefined {
    return this.#session;
  }

  get bound(): boolean {
    return this.#session !== undefined && !this.#session.closed;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connecting = this.#connect();
  }

  /** Unbinds gracefully and stops reconnecting. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#connecting;
    const session = this.#session;
    if (session) await session.unbind();
  }

  async #connect(): Promise<void> {
    const o = this.#o;
    let session: SmppSession | undefined;
    try {
      session = await SmppSession.connect(o.host, o.port, o.session, undefined, o.tls?.());
      session.on('request', (pdu) => {
        if (pdu.command === 'unbind') {
          // The SMSC ends the bind (maintenance, rebalancing): acknowledge, then reconnect.
          session?.respond(pdu);
          session?.close();
          return;
        }
        if (session) o.onRequest(session, pdu);
      });
      const systemId = await session.bind(o.type, o.credentials);
      if (!this.#running) {
        await session.unbind();
        return;
      }
      this.#failures = 0;
      this.lastError = undefined;
      this.#session = session;
      const bound = session;
      bound.once('close', (err) => this.#lost(bound, err));
      o.log.info({ link: o.name, bind: o.type, smsc: systemId, tls: o.tls !== undefined }, 'smpp bound');
      o.onChange(bound);
    } catch (err) {
      session?.destroy();
      const message = err instanceof Error ? err.message : String(err);
      this.lastError = message;
      this.#failures++;
      const status = err instanceof SmppError ? err.status : undefined;
      const fields = { link: o.name, bind: o.type, attempt: this.#failures, status, err: message };
      if (status !== undefined && CREDENTIALS_REFUSED.has(status)) {
        const retryMs = backoffDelay(this.#failures, { baseMs: o.credentialsRetryMs, capMs: o.credentialsRetryMs * 15 });
        o.log.error({ ...fields, retryMs }, 'smpp bind refused: check the system_id and password of SWITCHBOARD_SMPP_URL, and SWITCHBOARD_SMPP_SYSTEM_TYPE');
        this.#schedule(retryMs);
        return;
      }
      o.log.warn(fields, 'smpp bind failed');
      this.#schedule();
    }
  }

  #lost(session: SmppSession, err: Error | undefined): void {
    if (this.#session !== session) return;
    this.#session = undefined;
    if (!this.#running) {
      // Our own unbind at a stop: nothing was lost.
      this.#o.log.info({ link: this.#o.name, bind: this.#o.type }, 'smpp unbound');
      this.#o.onChange(undefined);
      return;
    }
    this.reconnects++;
    this.lastError = err?.message ?? 'connection closed';
    this.#o.log.warn({ link: this.#o.name, bind: this.#o.type, err: this.lastError }, 'smpp connection lost');
    this.#o.onChange(undefined);
    this.#failures++;
    this.#schedule();
  }

  // The first reconnect after a bound session dropped is quick; repeated failures back off.
  #schedule(delay = backoffDelay(this.#failures, { baseMs: this.#o.reconnectBaseMs, capMs: this.#o.reconnectCapMs })): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#running) this.#connecting = this.#connect();
    }, delay);
    this.#timer.unref();
  }
}
