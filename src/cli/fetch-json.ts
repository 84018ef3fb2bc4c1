import { OperatorError } from '../errors.js';

export interface JsonAnswer {
  readonly status: number;
  readonly ok: boolean;
  /** The parsed JSON body (undefined when empty). */
  readonly body: unknown;
}

/** TLS errors of a certificate the CLI does not trust: a self-signed one, or one of a private CA. */
const UNTRUSTED_CERTIFICATE = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/**
 * One HTTP call of the CLI to a running gateway: an unreachable gateway and a body that is not
 * JSON become one-line OperatorErrors; the caller decides what a non-2xx answer means.
 */
export async function fetchJson(url: string, init: RequestInit): Promise<JsonAnswer> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    const inner = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
    const cause = inner?.message ?? String(err);
    const code = inner !== undefined && 'code' in inner && typeof inner.code === 'string' ? inner.code : undefined;
    const hint = code !== undefined && UNTRUSTED_CERTIFICATE.has(code) ? ' (to trust it, set NODE_EXTRA_CA_CERTS to its PEM file)' : '';
    throw new OperatorError(503, 'unreachable', `cannot reach ${new URL(url).origin}: ${cause}${hint}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, ok: res.ok, body: text === '' ? undefined : JSON.parse(text) };
  } catch {
    throw new OperatorError(res.status, 'bad_response', `${url} answered ${res.status} with a body that is not JSON${plainWords(res, text)}`);
  }
}

/**
 * The first line of a plain-text answer, printable characters only: what the gateway's HTTPS port
 * says to a plain http:// URL (use https://…), which the user needs to read.
 */
function plainWords(res: Response, text: string): string {
  if (!/^text\/plain\b/i.test(res.headers.get('content-type') ?? '')) return '';
  const line = (text.split('\n', 1)[0] ?? '').replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 300);
  return line === '' ? '' : `: ${line}`;
}
