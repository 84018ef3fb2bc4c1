import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import type { Connector } from '../network/connector.js';
import type { NewJob } from '../store/repos/jobs.js';
import { LEGACY_HASH_PREFIX, type IdempotencyRecord, type MessageRecord, type NotifyMode, type OneApiRequestFields, type RecipientRecord, type SendApi, type StoredResponse } from '../store/repos/messages.js';
import type { Store } from '../store/store.js';
import { parseRecipients, type Recipient } from './address.js';
import { newMessageId } from './ids.js';
import { MAX_MESSAGE_CHARS, describe } from './segment.js';

/** Ids drawn for one message before giving up (a clash needs two instances and the same millisecond). */
const ID_ATTEMPTS = 3;

/** Job kind that hands one recipient's copy to the network (ref = recipient id). */
export const SUBMIT_KIND = 'submit';

/** Where a message's delivery receipts go. */
export type NotifyRequest =
  | { readonly mode: 'none' }
  /** AT&T `notifyDeliveryStatus: true`: to the app's delivery status URL. */
  | { readonly mode: 'att'; readonly url: string | null }
  /** OneAPI: the request's `receiptRequest`, or the app's delivery-receipt subscription on the sender. */
  | { readonly mode: 'oneapi'; readonly url: string; readonly callbackData: string | null };

/**
 * What the request itself asked about delivery receipts: AT&T `notifyDeliveryStatus: true`
 * ('att'), a OneAPI `receiptRequest` ('oneapi', its notifyURL as the listener URL rules gave it
 * back), or nothing.
 */
export type ReceiptRequest =
  | { readonly mode: 'none' }
  | { readonly mode: 'att' }
  | { readonly mode: 'oneapi'; readonly url: string; readonly callbackData: string | null };

export interface SendRequest {
  readonly api: SendApi;
  readonly appId: string;
  /**
   * Sender short code, digits only; the caller has checked the app holds it. OneAPI paths name it;
   * on AT&T paths it is the app's first short code.
   */
  readonly sender: string;
  /** The `address` field as the body carried it (string, list, comma-joined…). */
  readonly address: unknown;
  readonly message: unknown;
  readonly receipt: ReceiptRequest;
  /**
   * Where the receipts go. Asked only after the replay check: it may come from the app's settings
   * (its delivery status URL, a delivery-receipt subscription), which can change between a send
   * and its retry.
   */
  readonly notify: () => Promise<NotifyRequest>;
  readonly clientCorrelator: string | null;
  readonly idempotencyKey: string | null;
  /** Other request fields that make two requests differ (they count for idempotency). */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** OneAPI: the request's own fields, kept with the message for GET on the request. */
  readonly oneapiRequest?: OneApiRequestFields;
}

/** Builds the API's answer for an accepted message (its shape depends on the API generation). */
export type ResponseBuilder = (messageId: string, recipients: readonly Recipient[]) => StoredResponse;

export interface SendResult {
  readonly response: StoredResponse;
  /** False when this is the stored answer to an earlier identical request. */
  readonly created: boolean;
}

export interface SendServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly connector: Connector;
  readonly maxRecipients: number;
  readonly networkRetryWindowMs: number;
  /** How long a send's Idempotency-Key and clientCorrelator are remembered. */
  readonly idempotencyRetentionMs: number;
  /** Called after each accept commits, so dispatch picks the new jobs up at once. */
  readonly onAccepted: () => void;
}

/**
 * The request as a repeat is compared with it. `sender` and `notify` are passed apart: a replay
 * compares only what the client sent (the OneAPI path's sender, the receipt it asked for), while a
 * hash written before 0091 took them as resolved from the app's settings (see legacyHash).
 */
function requestHash(request: SendRequest, recipients: readonly Recipient[], text: string, sender: string | null, notify: ReceiptRequest | NotifyRequest): string {
  const value = {
    api: request.api,
    sender,
    recipients: recipients.map((r) => [r.e164, r.original]),
    text,
    notify,
    clientCorrelator: request.clientCorrelator,
    extra: request.extra ?? null,
  };
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The hash a release before 0091 stored for `request`: with the sender and the receipt target as
 * resolved from the app's settings at the time, so it matches only while they are unchanged.
 */
async function legacyHash(request: SendRequest, recipients: readonly Recipient[], text: string): Promise<string> {
  const n = await request.notify();
  // Its fields in the order the old code wrote them: the hash is of the JSON text.
  const asWritten = n.mode === 'none' ? { mode: n.mode } : n.mode === 'att' ? { mode: n.mode, url: n.url } : { mode: n.mode, url: n.url, callbackData: n.callbackData };
  return `${LEGACY_HASH_PREFIX}${requestHash(request, recipients, text, request.sender, asWritten)}`;
}

/**
 * Send SMS: validates a request in the documented order (contract §3.1, design.md §3), then commits
 * the message, its recipients and one submit job per recipient in one transaction before answering.
 * Repeats with the same `Idempotency-Key` or OneAPI `clientCorrelator` get the first answer; the
 * same key on a different request is refused with 409 SVC0005.
 */
export class SendService {
  readonly #deps: SendServiceDeps;

  constructor(deps: SendServiceDeps) {
    this.#deps = deps;
  }

  async send(request: SendRequest, respond: ResponseBuilder): Promise<SendResult> {
    const { store, clock, connector, maxRecipients, networkRetryWindowMs, idempotencyRetentionMs } = this.#deps;
    const oneapi = request.api.startsWith('oneapi');
    const addressVar = oneapi ? 'address' : 'Address';

    const parsed = parseRecipients(request.address, { max: maxRecipients });
    if (!parsed.ok) throw new ApiError(parsed.code, parsed.code === 'POL0013' ? parsed.variables : [addressVar]);
    const recipients = parsed.recipients;

    const text = request.message;
    if (typeof text !== 'string' || text === '') throw new ApiError('SVC0002', [oneapi ? 'message' : 'Message']);
    if (text.length > MAX_MESSAGE_CHARS) throw new ApiError('SVC0280', [String(MAX_MESSAGE_CHARS)]);

    // Only a request with a key can be replayed; without one the hash (≈ 10 µs) would never be read.
    const replayable = request.idempotencyKey !== null || request.clientCorrelator !== null;
    // AT&T paths name no sender: theirs is the app's first short code, a setting.
    const hash = replayable ? requestHash(request, recipients, text, oneapi ? request.sender : null, request.receipt) : '';
    const keys = { appId: request.appId, idempotencyKey: request.idempotencyKey, clientCorrelator: request.clientCorrelator };
    const replay = (prior: IdempotencyRecord) => this.#replay(prior, hash, request, () => legacyHash(request, recipients, text), () => respond(prior.messageId, recipients));
    const prior = replayable ? await store.messages.findIdempotent(keys) : undefined;
    if (prior !== undefined) return replay(prior);

    const notify = await request.notify();
    if (notify.mode === 'att' && notify.url === null) throw new ApiError('SVC0283');

    if (connector.checkDestination !== undefined) {
      for (const r of recipients) {
        const check = await connector.checkDestination(r.e164);
        if (!check.ok) throw new ApiError('SVC0001', [addressVar]);
      }
    }

    const now = clock.now();
    const { encoding, segments } = describe(text, { alphabet: connector.defaultAlphabet });
    const base = {
      appId: request.appId,
      api: request.api,
      sender: request.sender,
      text,
      encoding,
      segments,
      notifyMode: notify.mode satisfies NotifyMode,
      notifyUrl: notify.mode === 'none' ? null : notify.url,
      callbackData: notify.mode === 'oneapi' ? notify.callbackData : null,
      createdAt: now,
      statusExpiresAt: null,
      statusConsumed: false,
      oneapiRequest: request.oneapiRequest ?? null,
    };
    // Another instance may, rarely, have drawn the same id (see newMessageId): then draw again.
    for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
      const id = newMessageId(now);
      const response = respond(id, recipients);
      const message: MessageRecord = { ...base, id };
      const rows: RecipientRecord[] = recipients.map((r, seq) => ({
        id: `${id}-${seq}`,
        messageId: id,
        seq,
        addressOriginal: r.original,
        e164: r.e164,
        status: 'Pending',
        networkId: null,
        finalAt: null,
        updatedAt: now,
      }));
      const jobs: NewJob[] = rows.map((r) => ({ kind: SUBMIT_KIND, ref: r.id, runAt: now, deadlineAt: now + networkRetryWindowMs }));
      const remembered = replayable ? { ...keys, messageId: id, requestHash: hash, response, expiresAt: now + idempotencyRetentionMs } : undefined;
      const result = await store.messages.accept(message, rows, jobs, remembered);
      if (result.created) {
        this.#deps.onAccepted();
        return { response, created: true };
      }
      if (result.existing !== undefined) return replay(result.existing);
    }
    throw new Error(`no free message id after ${ID_ATTEMPTS} attempts`);
  }

  /**
   * The first answer again when the earlier request was the same one; 409 SVC0005 when it was not.
   * `legacy` computes the hash a release before 0091 would have stored, for the rows it wrote.
   * `answer` builds it for this request rather than reading the stored one: the same request gets
   * the same answer, but its URLs must be on the origin this client called (its Host), which a
   * retry through another name or proxy can differ in.
   */
  async #replay(prior: IdempotencyRecord, hash: string, request: SendRequest, legacy: () => Promise<string>, answer: () => StoredResponse): Promise<SendResult> {
    if (prior.requestHash === hash) return { response: answer(), created: false };
    if (prior.requestHash.startsWith(LEGACY_HASH_PREFIX) && prior.requestHash === (await legacy())) return { response: answer(), created: false };
    if (request.idempotencyKey !== null && prior.idempotencyKey === request.idempotencyKey) {
      throw new ApiError('SVC0005', [request.idempotencyKey, 'Idempotency-Key']);
    }
    throw new ApiError('SVC0005', [request.clientCorrelator ?? '', 'clientCorrelator']);
  }
}
