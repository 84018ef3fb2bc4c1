import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Routes that load balancers and Prometheus call every few seconds: answered, they are debug lines
 * (a probe every 2 s was 43,000 info lines a day); a failure (a 503, a refused request) stays info.
 */
const PROBES = new Set(['/healthz', '/metrics']);

/**
 * Fastify's request log lines, with one access line per request instead of two: written when the
 * request is answered (method, URL with its token masked by the logger's `req` serializer,
 * status, time); the line on arrival said nothing the answer's does not. A response that failed
 * while being sent, and every other line fastify writes (errors, 404s), stay as fastify has them.
 */
export class AccessLog extends LogController {
  readonly #access: FastifyBaseLogger;

  constructor(log: FastifyBaseLogger) {
    super();
    // The access line carries only the fields named below, none of them a header or a body, so
    // the logger's redaction (≈ 15 µs a line with its wildcard paths, on every API request) is
    // not needed for it; every other line keeps it.
    this.#access = log.child({}, { redact: [] });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (error) {
      super.requestCompleted(error, request, reply, metadata);
      return;
    }
    const line = { reqId: request.id, req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
    if (reply.statusCode < 400 && PROBES.has(request.routeOptions.url ?? '')) this.#access.debug(line, 'request completed');
    else this.#access.info(line, 'request completed');
  }
}
