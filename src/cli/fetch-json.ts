import { OperatorError } from '../errors.js';

export interface JsonAnswer {
  readonly status: number;
  readonly ok: boolean;
  /** The parsed JSON body (undefined when empty). */
  readonly body: unknown;
}

/**
 * One HTTP call of the CLI to a running gateway: an unreachable gateway and a body that is not
 * JSON become one-line OperatorErrors; the caller decides what a non-2xx answer means.
 */
export async function fetchJson(url: string, init: RequestInit): Promise<JsonAnswer> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new OperatorError(503, 'unreachable', `cannot reach ${new URL(url).origin}: ${cause}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, ok: res.ok, body: text === '' ? undefined : JSON.parse(text) };
  } catch {
    throw new OperatorError(res.status, 'bad_response', `${url} answered ${res.status} with a body that is not JSON`);
  }
}
