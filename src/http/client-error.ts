import { METHODS, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { errorEnvelope, plainErrorAnswer } from './error-handler.js';
import { asciiJson, flavourOf, JSON_TYPE, toXml, wantsXml, XML_TYPE } from './representation.js';

/** The message part each refusal of Node's HTTP parser is about; anything else is the request. */
const PART: Readonly<Record<string, string>> = {
  HPE_INVALID_METHOD: 'Method',
  HPE_INVALID_URL: 'URI',
  HPE_HEADER_OVERFLOW: 'Header',
};

/** What each refusal is, in words, for the surfaces without the API's envelope; anything else is a malformed request. */
const DESCRIPTION: Readonly<Record<string, string>> = {
  HPE_INVALID_METHOD: 'unknown method',
  HPE_INVALID_URL: 'malformed request target',
  HPE_HEADER_OVERFLOW: 'request headers too large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request not received in time',
};

/**
 * The status of each client error; anything else is 400. A method token Node's parser does not
 * know is a wrong method, 405 (contract §14), but without `Allow`: a path's methods are the
 * router's (not-found.ts), and a request refused here never reaches it.
 */
const STATUS: Readonly<Record<string, number>> = {
  HPE_INVALID_METHOD: 405,
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const KNOWN_METHODS = new Set(METHODS);

/** What can be read of a refused request: the method only when Node knows it (it is a metrics label). */
export interface Refused {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly accept: string | undefined;
  readonly host: string | undefined;
}

/**
 * What can be read of a refused request from the bytes it came in (refused by Node's parser, or
 * plain HTTP on the HTTPS port):
 * `METHOD SP /path… SP HTTP/1.1 CRLF … Accept: … CRLF`. A target with raw spaces or bytes
 * past ASCII is still read up to its first space, which is enough to name the path's family.
 */
export function readRefused(packet: unknown): Refused {
  if (!Buffer.isBuffer(packet)) return { method: undefined, url: undefined, accept: undefined, host: undefined };
  const text = packet.toString('latin1');
  const method = /^[!-~]+/.exec(text)?.[0];
  return {
    method: method !== undefined && KNOWN_METHODS.has(method) ? method : undefined,
    url: /^[!-~]+ +(\/[^ \r\n]*)/.exec(text)?.[1],
    accept: /\r\naccept:[ \t]*([^\r\n]*)/i.exec(text)?.[1],
    host: /\r\nhost:[ \t]*([^\r\n]*?)[ \t]*\r?\n/i.exec(text)?.[1],
  };
}

/**
 * The request whose body was being read when the error came (a body that stopped coming, a broken
 * chunk): Node's parser holds it from its last header until its body is complete. A request still
 * in its headers is not there: Node keeps the partial request line inside its native parser, and a
 * timeout has no rawPacket, so the path of a headers timeout cannot be known.
 */
function inProgress(socket: Socket): IncomingMessage | undefined {
  const incoming = (socket as Socket & { parser?: { incoming?: IncomingMessage | null } }).parser?.incoming;
  // A complete one is an earlier request on the connection: the one cut short is still in its headers.
  return incoming === undefined || incoming === null || incoming.complete ? undefined : incoming;
}

/**
 * Requests answered before their body was in (a 415 or 413 decided from the headers, a refused
 * credential): Node discards the rest of such a body and keeps the connection. An error while it
 * does (the body's timeout, a broken chunk) has had its answer already: a second one would be
 * read as the answer to the client's next request.
 */
const answeredEarly = new WeakSet<IncomingMessage>();

export const earlyAnswers = fp(async function earlyAnswers(app: FastifyInstance): Promise<void> {
  // A callback hook: on every request, where an async one would cost a promise each.
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (!request.raw.complete) answeredEarly.add(request.raw);
    done(null, payload);
  });
});

/** The status line, headers and body of `err` in the envelope of `url`'s family, as raw HTTP/1.1. */
function rawAnswer(err: ApiError, url: string | undefined, accept: string | undefined): string {
  const flavour = url === undefined ? 'att' : flavourOf(url);
  let answer: { type: string; text: string; headers: Record<string, string> };
  if (flavour === 'att' || flavour === 'oneapi') {
    const body = errorEnvelope(flavour, err);
    answer = wantsXml({ headers: { accept } })
      ? { type: XML_TYPE, text: toXml(body), headers: {} }
      : { type: JSON_TYPE, text: asciiJson(body), headers: {} };
  } else {
    answer = plainErrorAnswer(flavour, err);
  }
  const headers = { ...answer.headers, 'content-type': answer.type, 'content-length': String(Buffer.byteLength(answer.text)), connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? ''}\r\n${lines.join('')}\r\n${answer.text}`;
}

/**
 * fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (an unknown method, an
 * oversized header, a bad Content-Length, a raw space in the target) or one that timed out is
 * answered in the envelope of its path's family when its path can be read, from the request whose
 * body was being read or the bytes refused (else the AT&T one, JSON), then the connection is
 * closed: fastify's own `{"error":"Bad Request",…}` body is nothing an AT&T or OneAPI client reads.
 */
export function clientErrorHandler(log: FastifyBaseLogger, metrics: GatewayMetrics | undefined) {
  return function answerClientError(error: ConnectionError, socket: Socket): void {
    // A reset peer has nothing left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // Not the error itself: its rawPacket holds the request's headers, credentials included.
    log.debug({ code: error.code, reason: error.message }, 'client error');
    const incoming = inProgress(socket);
    if (incoming !== undefined && answeredEarly.has(incoming)) {
      socket.destroy();
      return;
    }
    const { method, url, accept }: Omit<Refused, 'host'> =
      incoming === undefined ? readRefused(error.rawPacket) : { method: incoming.method, url: incoming.url, accept: incoming.headers.accept };
    // A line with no path after its first word (`garbage`) is no request at all, not a wrong method.
    const noRequest = error.code === 'HPE_INVALID_METHOD' && url === undefined;
    const status = noRequest ? 400 : (STATUS[error.code] ?? 400);
    const description = noRequest ? 'malformed HTTP request' : (DESCRIPTION[error.code] ?? 'malformed HTTP request');
    // Node's own rule: no answer over one whose headers have gone out already.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    try {
      if (socket.writable && inFlight?.headersSent !== true) {
        socket.write(rawAnswer(new ApiError('SVC0002', [PART[error.code] ?? 'Request'], { status, description }), url, accept));
        // Not timed: when such a request began is not known.
        metrics?.httpAnswered(method ?? 'unknown', undefined, status);
      }
    } finally {
      socket.destroy();
    }
  };
}
