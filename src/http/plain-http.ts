import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { readRefused } from './client-error.js';
import { httpsOrigin } from './public-url.js';

/**
 * How long a TLS handshake may take, and a connection may wait before its first byte: Node's
 * default, written down so that both waits have one bound (a connection that sends nothing is cut
 * off after it, as before the first byte was looked at).
 */
export const HANDSHAKE_TIMEOUT_MS = 120_000;

/**
 * Every HTTP method starts with a letter; a TLS client's first byte is 0x16, a handshake record
 * (RFC 8446 §5.1). Anything else is left to TLS to refuse, as before.
 */
function startsHttp(byte: number | undefined): boolean {
  const lower = (byte ?? 0) | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** The most of a plain request read for its Host and path: Node's default header limit. */
const HEAD_LIMIT = 16 * 1024;

/** A request target put into the answer as it is: origin-form, URL characters only, not too long. */
const SAFE_TARGET = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]{0,2047}$/;

/** How long the client of a refused connection has to read the answer before it is closed. */
const LINGER_MS = 1_000;

export interface PlainHttpOptions {
  readonly config: Pick<Config, 'publicUrl' | 'publicUrlSet'>;
  readonly log: FastifyBaseLogger;
  readonly metrics: GatewayMetrics | undefined;
  /** The server's `handshakeTimeout`. */
  readonly handshakeTimeoutMs: number;
}

/**
 * Makes the HTTPS server answer a plain-HTTP request (`curl http://host:8443/…`) with a 400 that
 * says to use https://, as nginx does, instead of closing the connection without a word. OpenSSL
 * does notice such a request, but Node reports it (`tlsClientError`) once the socket is gone. So
 * the first byte of each connection is looked at before TLS sees it (as httpolyglot does): a TLS
 * handshake record goes to the server's own TLS connection listener with the byte pushed back,
 * which Node's TLSSocket reads first; a letter is HTTP, answered here. Only the wait for the first
 * byte is added before TLS, bounded like the handshake (whose own limit starts when TLS gets the
 * socket, so one that sends a byte and stalls is cut off within twice it); HTTP request timeouts
 * start, as before, when the handshake is done.
 */
export function answerPlainHttp(server: HttpsServer, options: PlainHttpOptions): void {
  // tls.Server's listener: it wraps the socket in a TLSSocket and starts the handshake.
  const tlsListeners = server.listeners('connection');
  server.removeAllListeners('connection');
  // The HTTP layer knows a connection only once its handshake is done, so its close calls miss one
  // that sent nothing or stalled in its handshake, and server.close() waited for it up to twice the
  // handshake limit, past SWITCHBOARD_REQUEST_TIMEOUT_MS. A graceful stop closes those still waiting
  // for their first byte with the idle ones, and every connection when it cuts off the rest.
  const waiting = new Set<Socket>();
  const open = new Set<Socket>();
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  server.closeIdleConnections = () => {
    for (const socket of waiting) socket.destroy();
    closeIdle();
  };
  server.closeAllConnections = () => {
    closeAll();
    for (const socket of open) socket.destroy();
  };
  server.on('connection', (socket: Socket) => {
    waiting.add(socket);
    open.add(socket);
    socket.once('close', () => {
      waiting.delete(socket);
      open.delete(socket);
    });
    const received: Buffer[] = [];
    let size = 0;
    let timer = setTimeout(() => (size === 0 ? socket.destroy() : refuse(false)), options.handshakeTimeoutMs);
    // A reset before the first byte, or while the answer goes out: nothing left to do but close.
    const closeOnError = () => socket.destroy();
    const stopTimer = () => clearTimeout(timer);
    const read = () => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        if (size === 0 && !startsHttp(chunk[0])) return toTls(chunk);
        received.push(chunk);
        size += chunk.length;
      }
      const head = Buffer.concat(received);
      if (head.includes('\r\n\r\n') || head.includes('\n\n')) refuse(true);
      else if (size > HEAD_LIMIT) refuse(false);
    };
    const toTls = (first: Buffer) => {
      release();
      socket.unshift(first);
      for (const listener of tlsListeners) Reflect.apply(listener, server, [socket]);
    };
    const release = () => {
      waiting.delete(socket);
      stopTimer();
      socket.off('readable', read);
      socket.off('error', closeOnError);
      socket.off('close', stopTimer);
    };
    /** Answers 400 with where to go, from the request's Host and path when `whole` (its head is in). */
    const refuse = (whole: boolean) => {
      waiting.delete(socket);
      socket.off('readable', read);
      stopTimer();
      const request = readRefused(Buffer.concat(received));
      const origin = whole ? httpsOrigin(options.config, request.host) : undefined;
      const target = origin !== undefined && request.url !== undefined && SAFE_TARGET.test(request.url) ? request.url : '';
      const body = `This port speaks HTTPS only, and the request came as plain HTTP: ${origin === undefined ? 'use https:// instead of http://' : `use ${origin}${target}`}\n`;
      options.log.info(
        { req: { method: request.method, url: request.url, host: request.host, ip: socket.remoteAddress, socket }, res: { statusCode: 400 } },
        'plain HTTP request to the HTTPS port',
      );
      options.metrics?.httpAnswered(request.method ?? 'unknown', undefined, 400);
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      // What the client sends on is dropped: closing with it unread would reset the connection,
      // and the client could lose the answer.
      socket.resume();
      timer = setTimeout(() => socket.destroy(), LINGER_MS);
    };
    socket.on('readable', read);
    socket.on('error', closeOnError);
    socket.on('close', stopTimer);
  });
}
