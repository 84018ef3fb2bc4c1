import { EventEmitter } from 'node:events';
import { Agent, request } from 'undici';
import { BlockedAddressError, guardedConnector, type ConnectGuardOptions } from './connect-guard.js';
import type { SelfEndpoint } from './listener-url.js';

/** `blocked`: the listener's host resolved to an address it must not reach (see connect-guard.ts). */
export type PostResult = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly error: string; readonly blocked?: true };

export interface SenderOptions extends ConnectGuardOptions {
  /**
   * Each of connect, response headers and body gaps gets this much — undici runs these on coarse
   * timers (about a second) — and the whole POST is aborted after 3× on a precise one.
   */
  readonly timeoutMs: number;
  /** Sockets kept per listener origin. */
  readonly connectionsPerOrigin: number;
}

/** Response bytes read (and dropped) before the socket is given up: a 2xx is all we need. */
const MAX_RESPONSE_BYTES = 64 * 1024;

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    if (typeof code === 'string' && code !== '') return `${code}: ${err.message}`;
    if (typeof cause === 'string') return `${cause}: ${err.message}`;
    return err.message;
  }
  return String(err);
}

/**
 * POSTs notification bodies to app listeners with undici. Retries are not its business: one call
 * is one attempt, and the durable job table decides about the next. Redirects are not followed
 * (a 3xx is not an acknowledgement).
 */
export class WebhookSender {
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  /** What the connector checks at each connect; `self` changes as other instances come and go. */
  readonly #guard: { blockedAddresses: readonly string[]; timeoutMs: number; self: readonly SelfEndpoint[] };

  constructor(options: SenderOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#guard = { blockedAddresses: options.blockedAddresses, timeoutMs: options.timeoutMs, self: options.self };
    this.#agent = new Agent({
      connect: guardedConnector(this.#guard),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 10_000,
    });
  }

  /** The gateway's own endpoints, other instances' included, for the connections opened from now on. */
  setSelf(self: readonly SelfEndpoint[]): void {
    this.#guard.self = self;
  }

  /**
   * Any 2xx acknowledges; anything else (status, timeout, refused connection, a host that is or
   * resolves to a blocked address or the gateway itself) is a failed attempt.
   */
  async post(url: string, headers: Record<string, string>, body: string): Promise<PostResult> {
    // undici takes an EventEmitter as the abort signal (Dispatcher.request): AbortSignal.timeout
    // cost ≈ 7 µs per POST, on a path that posts once per message.
    const deadline = new EventEmitter();
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      deadline.emit('abort');
    }, 3 * this.#timeoutMs);
    try {
      const res = await request(url, { method: 'POST', headers, body, dispatcher: this.#agent, signal: deadline });
      await res.body.dump({ limit: MAX_RESPONSE_BYTES }).catch(() => undefined);
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode };
      return { ok: false, error: `listener answered HTTP ${res.statusCode}` };
    } catch (err) {
      if (err instanceof BlockedAddressError) return { ok: false, error: err.message, blocked: true };
      return { ok: false, error: late ? `no answer within ${3 * this.#timeoutMs} ms` : describe(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
