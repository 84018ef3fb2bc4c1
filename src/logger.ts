import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Request and body fields that must never reach a log line: secrets and tokens. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.query.access_token',
  '*.client_secret',
  '*.appSecret',
  '*.signingSecret',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  'adminToken',
];

/** Masks the value of `access_token` in a logged URL (older clients put the token in the query). */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The gateway's logger; `destination` defaults to stdout (tests pass a stream to inspect lines). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    // Replaces fastify's request serializer, which logs the URL with its query string.
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
