import pino, { type Logger } from 'pino';

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

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } });
}
