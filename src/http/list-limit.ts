import { OperatorError } from '../errors.js';

/** The most entries one page of an operator list holds (dead letters, unrouted MO, a handset's messages). */
export const MAX_LIST_LIMIT = 1000;

/** `?limit=N` of an operator list: a whole number from 1 (more than MAX_LIST_LIMIT is that), `fallback` when absent. */
export function listLimit(query: unknown, fallback: number): number {
  const raw = (query as Record<string, unknown> | undefined)?.limit;
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw) || Number(raw) < 1) {
    throw new OperatorError(400, 'invalid_request', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
  }
  return Math.min(Number(raw), MAX_LIST_LIMIT);
}
