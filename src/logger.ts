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

/** Query parameters whose values never reach a log line (older clients put the token in the query). */
const SECRET_PARAMS = new Set(['access_token', 'refresh_token', 'token', 'client_secret']);

/** A query parameter's name as the query parser reads it: `%`-escapes and `+` decoded, `[…]` dropped. */
function paramName(raw: string): string {
  let name = raw.replace(/\+/g, ' ');
  try {
    name = decodeURIComponent(name);
  } catch {
    // A broken escape: compared as written.
  }
  return name.replace(/\[.*$/, '').trim().toLowerCase();
}

/** Masks the values of secret parameters in a logged URL, however their names are spelled. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq >= 0 && SECRET_PARAMS.has(paramName(part.slice(0, eq))) ? `${part.slice(0, eq)}=[redacted]` : part;
    });
  return `${url.slice(0, q + 1)}${params.join('&')}`;
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
