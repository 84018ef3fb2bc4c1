import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';
import { parseShortCode } from '../sms/address.js';
import type { InboxMessage } from '../store/repos/inbox.js';

/** Largest batch a client may ask for with maxBatchSize (unless the configured default is larger). */
const MAX_BATCH = 1000;

export interface PolledBatch {
  /** The short code, digits only. */
  readonly shortCode: string;
  readonly messages: InboxMessage[];
  /** Messages still waiting after this batch. */
  readonly pending: number;
}

/**
 * Get SMS (contract §5, §10): the next batch of the app's short-code inbox, removed as it is read.
 * `registration` is the RegistrationId as sent (`22627000`, `tel:22627000`, `short:22627000`,
 * URL-encoded or not). Refused with 400 SVC0002 (Variables `variable`) when it is not a short code,
 * when the app does not hold it (unknown or another app's: the same answer, so nothing leaks about
 * other apps' codes), or when the short code delivers by callback (one mechanism per short code).
 */
export async function pollInbox(
  ctx: GatewayContext,
  appId: string,
  registration: unknown,
  batchSize: number | undefined,
  variable: string,
): Promise<PolledBatch> {
  const code = typeof registration === 'string' ? parseShortCode(registration) : null;
  if (code === null) throw new ApiError('SVC0002', [variable]);
  const record = await ctx.store.shortCodes.get(code);
  if (record === undefined || record.appId !== appId || record.moDelivery !== 'poll') throw new ApiError('SVC0002', [variable]);
  const limit = Math.min(batchSize ?? ctx.config.inboxBatchSize, Math.max(MAX_BATCH, ctx.config.inboxBatchSize));
  const { messages, pending } = await ctx.inbound.take(appId, code, limit);
  return { shortCode: code, messages, pending };
}

/**
 * `maxBatchSize` as given (a whole number), undefined when absent or 0; else SVC0002. The GSMA
 * reference Java library puts any maxBatchSize >= 0 in the URL as it is (its argument is a plain
 * `int`); a batch of none could never be read, so 0 is taken as no size given.
 */
export function parseBatchSize(raw: unknown, variable: string): number | undefined {
  const value = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\s*\d{1,9}\s*$/.test(value)) throw new ApiError('SVC0002', [variable]);
  return Number(value) === 0 ? undefined : Number(value);
}
