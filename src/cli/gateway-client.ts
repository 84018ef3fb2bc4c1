import { OperatorError } from '../errors.js';
import { fetchJson } from './fetch-json.js';

export interface GatewayAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** `obj[key]` of something that may not be an object. */
function at(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/** `obj[key]` when it is text (a number counts), else undefined. */
function textAt(obj: unknown, key: string): string | undefined {
  const v = at(obj, key);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * The message of an error body of any surface: AT&T `RequestError` (PascalCase), OneAPI
 * `requestError`, RFC 6749 `{error, error_description}`, operator `{error: {code, message}}`.
 */
function errorOf(status: number, body: unknown): OperatorError {
  const api = at(body, 'RequestError') ?? at(body, 'requestError');
  const exception: unknown = api !== null && typeof api === 'object' ? Object.values(api as Record<string, unknown>)[0] : undefined;
  if (exception !== undefined) {
    const id = textAt(exception, 'MessageId') ?? textAt(exception, 'messageId') ?? 'error';
    const text = textAt(exception, 'Text') ?? textAt(exception, 'text') ?? '';
    const raw = at(exception, 'Variables') ?? at(exception, 'variables');
    const variables = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw !== '' ? raw.split(',') : [];
    // The API leaves %1, %2 … for the client to fill in from the variables.
    const message = text.replace(/%(\d+)/g, (m, n: string) => variables[Number(n) - 1] ?? m);
    return new OperatorError(status, id, `${id}: ${message}`);
  }
  const error = at(body, 'error');
  if (typeof error === 'string') return new OperatorError(status, error, `${error}: ${textAt(body, 'error_description') ?? ''}`);
  const message = at(error, 'message');
  if (typeof message === 'string') return new OperatorError(status, textAt(error, 'code') ?? 'error', message);
  return new OperatorError(status, 'http_error', `HTTP ${status}`);
}

/** A running gateway's public surfaces (OAuth, the SMS API, /sim/v1), as a script would use them. */
export class GatewayClient {
  readonly #base: string;

  constructor(url: string) {
    this.#base = url.replace(/\/+$/, '');
  }

  get base(): string {
    return this.#base;
  }

  /** Sends a request; a non-2xx answer throws an OperatorError with the body's message. */
  async call(method: string, path: string, init: { json?: unknown; form?: Record<string, string>; token?: string } = {}): Promise<GatewayAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    const res = await fetchJson(`${this.#base}${path}`, { method, headers, body });
    const parsed = res.body;
    if (!res.ok) throw errorOf(res.status, parsed);
    return { status: res.status, body: parsed };
  }

  /** An access token for the app (client_credentials, scope SMS). */
  async token(appKey: string, appSecret: string): Promise<string> {
    const { body } = await this.call('POST', '/oauth/v4/token', {
      form: { client_id: appKey, client_secret: appSecret, grant_type: 'client_credentials', scope: 'SMS' },
    });
    const token = (body as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token !== 'string') throw new OperatorError(502, 'bad_response', 'the token endpoint answered without an access_token');
    return token;
  }
}
