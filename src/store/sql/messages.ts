import type { Kysely, Selectable, Transaction } from 'kysely';
import type { HeldJob, NewJob } from '../repos/jobs.js';
import type {
  AcceptResult,
  DlrNotificationBuilder,
  DeliveryStatus,
  FinalizeResult,
  FinalStatus,
  IdempotencyKeys,
  IdempotencyRecord,
  MessageRecord,
  MessageRepo,
  NotifyMode,
  OneApiRequestFields,
  RecipientRecord,
  RecipientTarget,
  SendApi,
  StoredResponse,
} from '../repos/messages.js';
import { FINAL_STATUSES, isFinalStatus } from '../repos/messages.js';
import type { Database, IdempotencyKeysTable, MessageRecipientsTable, MessagesTable } from '../schema.js';
import { WriteOutcomeUnknownError } from '../store.js';
import { acceptInOneStatement, isKeyTaken, storedDespiteLostAnswer, type AcceptRows } from './accept-postgres.js';
import { writeForApp } from './app-gone.js';
import { Coalescer, lookupByKey, rowRefused } from './coalesce.js';
import { finalizeInOneStatement, finalizeOnlyRecipientsInOneStatement, markSubmittedInOneStatement, type FinalizeStep, type SubmittedStep } from './messages-postgres.js';
import { writeOne, type SqlContext } from './context.js';
import { deleteHeldJob, insertJobs, jobRows } from './jobs.js';
import { prepared } from './prepared.js';
import { insertNotification } from './notifications.js';

function toMessage(row: Selectable<MessagesTable>): MessageRecord {
  return {
    id: row.id,
    appId: row.app_id,
    api: row.api as SendApi,
    sender: row.sender,
    text: row.text,
    encoding: row.encoding as MessageRecord['encoding'],
    segments: Number(row.segments),
    notifyMode: row.notify_mode as NotifyMode,
    notifyUrl: row.notify_url,
    callbackData: row.callback_data,
    createdAt: Number(row.created_at),
    statusExpiresAt: row.status_expires_at === null ? null : Number(row.status_expires_at),
    statusConsumed: Number(row.status_consumed) === 1,
    oneapiRequest: row.oneapi_request === null ? null : (JSON.parse(row.oneapi_request) as OneApiRequestFields),
  };
}

function toRecipient(row: Selectable<MessageRecipientsTable>): RecipientRecord {
  return {
    id: row.id,
    messageId: row.message_id,
    seq: Number(row.seq),
    addressOriginal: row.address_original,
    e164: row.e164,
    status: row.status as DeliveryStatus,
    networkId: row.network_id,
    finalAt: row.final_at === null ? null : Number(row.final_at),
    updatedAt: Number(row.updated_at),
  };
}

function messageRow(m: MessageRecord): MessagesTable {
  return {
    id: m.id,
    app_id: m.appId,
    api: m.api,
    sender: m.sender,
    text: m.text,
    encoding: m.encoding,
    segments: m.segments,
    notify_mode: m.notifyMode,
    notify_url: m.notifyUrl,
    callback_data: m.callbackData,
    created_at: m.createdAt,
    status_expires_at: m.statusExpiresAt,
    status_consumed: m.statusConsumed ? 1 : 0,
    oneapi_request: m.oneapiRequest === null ? null : JSON.stringify(m.oneapiRequest),
  };
}

function toIdempotent(row: Selectable<IdempotencyKeysTable>): IdempotencyRecord {
  return {
    messageId: row.message_id,
    appId: row.app_id,
    idempotencyKey: row.idempotency_key,
    clientCorrelator: row.client_correlator,
    requestHash: row.request_hash,
    response: JSON.parse(row.response) as StoredResponse,
    expiresAt: Number(row.expires_at),
  };
}

function idempotentRow(k: IdempotencyRecord): IdempotencyKeysTable {
  return {
    message_id: k.messageId,
    app_id: k.appId,
    idempotency_key: k.idempotencyKey,
    client_correlator: k.clientCorrelator,
    request_hash: k.requestHash,
    response: JSON.stringify(k.response),
    expires_at: k.expiresAt,
  };
}

function recipientRow(r: RecipientRecord): MessageRecipientsTable {
  return {
    id: r.id,
    message_id: r.messageId,
    seq: r.seq,
    address_original: r.addressOriginal,
    e164: r.e164,
    status: r.status,
    network_id: r.networkId,
    final_at: r.finalAt,
    updated_at: r.updatedAt,
  };
}

type Db = Kysely<Database> | Transaction<Database>;

/** The recipient's columns next to its message's, renamed where the names collide. */
const RECIPIENT_COLUMNS = [
  'r.id as r_id',
  'r.seq as r_seq',
  'r.address_original as r_address_original',
  'r.e164 as r_e164',
  'r.status as r_status',
  'r.network_id as r_network_id',
  'r.final_at as r_final_at',
  'r.updated_at as r_updated_at',
] as const;

type JoinedRow = Selectable<MessagesTable> & {
  r_id: string;
  r_seq: number;
  r_address_original: string;
  r_e164: string;
  r_status: string;
  r_network_id: string | null;
  r_final_at: number | null;
  r_updated_at: number;
};

function recipientRowOf(j: JoinedRow): Selectable<MessageRecipientsTable> {
  return {
    id: j.r_id,
    message_id: j.id,
    seq: j.r_seq,
    address_original: j.r_address_original,
    e164: j.r_e164,
    status: j.r_status,
    network_id: j.r_network_id,
    final_at: j.r_final_at,
    updated_at: j.r_updated_at,
  };
}

// The hot statements of accept, dispatch and receipts, compiled once (see prepared.ts).
const insertMessage = prepared((db, m: MessagesTable) =>
  db
    .insertInto('messages')
    .values({
      id: m.id,
      app_id: m.app_id,
      api: m.api,
      sender: m.sender,
      text: m.text,
      encoding: m.encoding,
      segments: m.segments,
      notify_mode: m.notify_mode,
      notify_url: m.notify_url,
      callback_data: m.callback_data,
      created_at: m.created_at,
      status_expires_at: m.status_expires_at,
      status_consumed: m.status_consumed,
      oneapi_request: m.oneapi_request,
    })
    // An id another instance drew too (see SendService): nothing is written.
    .onConflict((oc) => oc.doNothing()),
);

// No conflict target: whichever unique index (idempotency key, correlator, message id) fires, nothing is written.
const insertIdempotent = prepared((db, k: IdempotencyKeysTable) =>
  db
    .insertInto('idempotency_keys')
    .values({
      message_id: k.message_id,
      app_id: k.app_id,
      idempotency_key: k.idempotency_key,
      client_correlator: k.client_correlator,
      request_hash: k.request_hash,
      response: k.response,
      expires_at: k.expires_at,
    })
    .onConflict((oc) => oc.doNothing()),
);

const insertRecipient = prepared((db, r: MessageRecipientsTable) =>
  db.insertInto('message_recipients').values({
    id: r.id,
    message_id: r.message_id,
    seq: r.seq,
    address_original: r.address_original,
    e164: r.e164,
    status: r.status,
    network_id: r.network_id,
    final_at: r.final_at,
    updated_at: r.updated_at,
  }),
);

/** A recipient joined with its message: one query where two were. */
function withMessage(db: Db) {
  return db.selectFrom('message_recipients as r').innerJoin('messages', 'messages.id', 'r.message_id').selectAll('messages').select(RECIPIENT_COLUMNS);
}

const byRecipient = prepared((db, v: { id: string }) => withMessage(db).where('r.id', '=', v.id));
const byNetworkId = prepared((db, v: { id: string }) => withMessage(db).where('r.network_id', '=', v.id));
// PostgreSQL finalizes a message's recipients concurrently: the message row is locked first so
// the count of open recipients sees the others' commits.
const byRecipientLocked = prepared((db, v: { id: string }) => withMessage(db).where('r.id', '=', v.id).forUpdate(['messages']));
const byNetworkIdLocked = prepared((db, v: { id: string }) => withMessage(db).where('r.network_id', '=', v.id).forUpdate(['messages']));
// ...unless the message has one recipient: then no other finalize can race for its last open one.
function withRecipientCount(db: Db) {
  return withMessage(db).select((eb) =>
    eb.selectFrom('message_recipients as c').select(eb.fn.countAll<number>().as('n')).whereRef('c.message_id', '=', 'messages.id').as('recipient_count'),
  );
}
const byRecipientsCounted = prepared((db, v: { ids: string[] }) => withRecipientCount(db).where('r.id', '=', (eb) => eb.fn.any(eb.val(v.ids))));
type CountedRow = Awaited<ReturnType<typeof byRecipientsCounted>>['rows'][number];
const byNetworkIdCounted = prepared((db, v: { id: string }) => withRecipientCount(db).where('r.network_id', '=', v.id));

const markRecipientSubmitted = prepared((db, v: { id: string; networkId: string; now: number }) =>
  db
    .updateTable('message_recipients')
    .set((eb) => ({
      network_id: v.networkId,
      // A receipt may already have made it final (a fast network): never step back from that.
      status: eb.case().when('status', '=', 'Pending').then('DeliveredToNetwork').else(eb.ref('status')).end(),
      updated_at: v.now,
    }))
    .where('id', '=', v.id),
);

const finalizeRecipient = prepared((db, v: { id: string; status: string; at: number }) =>
  db.updateTable('message_recipients').set({ status: v.status, final_at: v.at, updated_at: v.at }).where('id', '=', v.id).where('status', 'not in', FINAL_STATUSES),
);

/** Starts the status expiry of a message none of whose recipients is open any more: the count and the update in one statement. */
const startExpiryIfComplete = prepared((db, v: { id: string; expiresAt: number }) =>
  db
    .updateTable('messages')
    .set({ status_expires_at: v.expiresAt })
    .where('id', '=', v.id)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('message_recipients').select('id').where('message_id', '=', v.id).where('status', 'not in', FINAL_STATUSES)))),
);

interface FinalizeOutcome {
  readonly updated: boolean;
  readonly messageFinal: boolean;
}
const NOT_UPDATED: FinalizeOutcome = { updated: false, messageFinal: false };

/** SQLite's finalize (statements are not round trips there): see finalizeInOneStatement for the steps. */
async function finalizeStepByStep(trx: Kysely<Database>, step: FinalizeStep): Promise<FinalizeOutcome> {
  const updated = await finalizeRecipient(trx, { id: step.recipientId, status: step.status, at: step.at });
  if (Number(updated.numAffectedRows ?? 0n) === 0) return NOT_UPDATED;
  const started = await startExpiryIfComplete(trx, { id: step.messageId, expiresAt: step.expiresAt });
  const messageFinal = Number(started.numAffectedRows ?? 0n) > 0;
  if (step.notification !== null) await insertNotification(trx, step.notification);
  return { updated: true, messageFinal };
}

/*
 * Recipients read for a submit and kept for their receipt (SQLite): a row is ≈ 1 KiB with a short
 * text. Texts over four segments are not kept (a row may carry up to 4,096 characters), so the
 * rows kept stay under ≈ 20 MB.
 */
const IN_FLIGHT_MAX = 8_192;
const IN_FLIGHT_TEXT_MAX = 640;

export class SqlMessageRepo implements MessageRepo {
  readonly #ctx: SqlContext;
  /*
   * The row a submit read, kept until its recipient's finalize, which then needs no read of its
   * own (SQLite: the join of message and recipient was ≈ a tenth of the store's time per message;
   * PostgreSQL: a round trip before the receipt's write, and so before its answer to the SMSC).
   * Only what cannot change is taken from it: the message's columns, the recipient's address,
   * network id and, on PostgreSQL, the message's recipient count; whether the recipient is still
   * open is decided by finalize's conditional update, so a row gone stale (a receipt already
   * applied, another process) finalizes nothing. PostgreSQL keeps only the rows of messages with
   * one recipient: the others' finalizes read under a lock (see byRecipientLocked).
   */
  readonly #inFlight = new Map<string, JoinedRow | CountedRow>();
  // PostgreSQL: concurrent accepts and dispatch reads share round trips (see coalesce.ts).
  readonly #accepts: Coalescer<AcceptRows, boolean> | undefined;
  readonly #recipients: Coalescer<string, CountedRow | undefined> | undefined;
  readonly #submits: Coalescer<SubmittedStep, boolean> | undefined;
  readonly #toFinalize: Coalescer<string, CountedRow | undefined> | undefined;
  readonly #finalizeOnly: Coalescer<FinalizeStep, boolean> | undefined;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      this.#accepts = new Coalescer({
        maxBatch: 50,
        run: (batch) =>
          acceptInOneStatement(ctx.fixedPlanDb ?? ctx.db, batch).catch((err: unknown) => {
            if (err instanceof WriteOutcomeUnknownError) return storedDespiteLostAnswer(ctx.db, batch, err);
            throw err;
          }),
        // A row PostgreSQL refuses (a NUL in a text, say) fails its own accept, not its batch's.
        retryAlone: rowRefused,
      });
      this.#recipients = lookupByKey(async (ids) => (await byRecipientsCounted(ctx.db, { ids })).rows, (row) => row.r_id);
      this.#submits = new Coalescer({ maxBatch: 100, run: (steps) => markSubmittedInOneStatement(ctx.db, steps) });
      this.#toFinalize = lookupByKey(async (ids) => (await byRecipientsCounted(ctx.db, { ids })).rows, (row) => row.r_id);
      // A failed batch was rolled back whole: each step alone again (a refused row, or a deadlock with another instance's writes).
      this.#finalizeOnly = new Coalescer({ maxBatch: 100, run: (steps) => finalizeOnlyRecipientsInOneStatement(ctx.db, steps), retryAlone: rowRefused });
    }
  }

  accept(message: MessageRecord, recipients: readonly RecipientRecord[], jobs: readonly NewJob[], keys?: IdempotencyRecord): Promise<AcceptResult> {
    // The rows written belong to the message written with them: only its app can be missing.
    return writeForApp(message.appId, () => this.#accept(message, recipients, jobs, keys));
  }

  async #accept(message: MessageRecord, recipients: readonly RecipientRecord[], jobs: readonly NewJob[], keys: IdempotencyRecord | undefined): Promise<AcceptResult> {
    if (this.#accepts !== undefined) {
      const rows = {
        message: messageRow(message),
        recipients: recipients.map(recipientRow),
        jobs: jobRows(jobs, message.createdAt),
        keys: keys === undefined ? null : idempotentRow(keys),
      };
      try {
        // Skipped: the id is taken. A key or correlator taken fails the statement instead (see acceptInOneStatement).
        return (await this.#accepts.call(rows)) ? { created: true } : { created: false, existing: undefined };
      } catch (err) {
        if (keys === undefined || !isKeyTaken(err)) throw err;
        return { created: false, existing: await this.#findIdempotent(this.#ctx.db, keys) };
      }
    }
    return this.#ctx.write(async (trx) => {
      // The keys first: when another send holds one, nothing is written (nor found, when the
      // conflict was on the message id: then it is drawn again).
      if (keys !== undefined && Number((await insertIdempotent(trx, idempotentRow(keys))).numAffectedRows ?? 0n) === 0) {
        return { created: false, existing: await this.#findIdempotent(trx, keys) };
      }
      if (Number((await insertMessage(trx, messageRow(message))).numAffectedRows ?? 0n) === 0) {
        // The id is taken (see SendService): the keys written above go with this attempt.
        if (keys !== undefined) await trx.deleteFrom('idempotency_keys').where('message_id', '=', keys.messageId).execute();
        return { created: false, existing: undefined };
      }
      const [only] = recipients;
      if (recipients.length === 1 && only !== undefined) await insertRecipient(trx, recipientRow(only));
      else if (recipients.length > 0) await trx.insertInto('message_recipients').values(recipients.map(recipientRow)).execute();
      await insertJobs(trx, jobs, message.createdAt);
      return { created: true };
    });
  }

  async #findIdempotent(db: Db, keys: IdempotencyKeys): Promise<IdempotencyRecord | undefined> {
    const by = async (column: 'idempotency_key' | 'client_correlator', value: string | null) => {
      if (value === null) return undefined;
      const row = await db.selectFrom('idempotency_keys').selectAll().where('app_id', '=', keys.appId).where(column, '=', value).executeTakeFirst();
      return row === undefined ? undefined : toIdempotent(row);
    };
    return (await by('idempotency_key', keys.idempotencyKey)) ?? by('client_correlator', keys.clientCorrelator);
  }

  findIdempotent(keys: IdempotencyKeys): Promise<IdempotencyRecord | undefined> {
    return this.#findIdempotent(this.#ctx.db, keys);
  }

  async recipient(recipientId: string): Promise<{ message: MessageRecord; recipient: RecipientRecord } | undefined> {
    const row = this.#recipients !== undefined ? await this.#recipients.call(recipientId) : (await byRecipient(this.#ctx.db, { id: recipientId })).rows[0];
    if (row === undefined) return undefined;
    const keep = this.#ctx.dialect === 'sqlite' || ('recipient_count' in row && Number(row.recipient_count) === 1);
    if (keep && row.r_status === 'Pending' && row.text.length <= IN_FLIGHT_TEXT_MAX) {
      // Oldest first out: a recipient whose receipt never came is read again if it ever does.
      if (this.#inFlight.size >= IN_FLIGHT_MAX && !this.#inFlight.has(recipientId)) this.#inFlight.delete(this.#inFlight.keys().next().value as string);
      this.#inFlight.set(recipientId, row);
    }
    return { message: toMessage(row), recipient: toRecipient(recipientRowOf(row)) };
  }

  async markSubmitted(recipientId: string, networkId: string, now: number, ack?: HeldJob): Promise<boolean> {
    const mark = (db: Kysely<Database>) => markRecipientSubmitted(db, { id: recipientId, networkId, now });
    if (ack === undefined) {
      await writeOne(this.#ctx, mark);
      this.#noteSubmitted(recipientId, networkId);
      return false;
    }
    if (this.#submits !== undefined) return this.#submits.call({ recipientId, networkId, now, jobId: ack.jobId, workerId: ack.workerId });
    const acked = await this.#ctx.write(async (trx) => {
      await mark(trx);
      return deleteHeldJob(trx, { id: ack.jobId, workerId: ack.workerId });
    });
    this.#noteSubmitted(recipientId, networkId);
    return acked;
  }

  /** The kept row gets the network id its finalize reports. */
  #noteSubmitted(recipientId: string, networkId: string): void {
    const row = this.#inFlight.get(recipientId);
    if (row !== undefined) this.#inFlight.set(recipientId, { ...row, r_network_id: networkId });
  }

  async finalize(
    target: RecipientTarget,
    status: FinalStatus,
    at: number,
    retentionMs: number,
    notify: DlrNotificationBuilder,
  ): Promise<FinalizeResult | undefined> {
    const id = 'recipientId' in target ? target.recipientId : target.networkId;
    const apply = (joined: JoinedRow, run: (step: FinalizeStep) => Promise<FinalizeOutcome>) => this.#finalizeRow(joined, status, at, retentionMs, notify, run);
    const inOne = (trx: Kysely<Database>) => (step: FinalizeStep) => (this.#ctx.dialect === 'postgres' ? finalizeInOneStatement(trx, step) : finalizeStepByStep(trx, step));
    const kept = 'recipientId' in target ? this.#inFlight.get(id) : undefined;
    const forget = () => this.#inFlight.delete(id);
    if (this.#toFinalize !== undefined && this.#finalizeOnly !== undefined) {
      // PostgreSQL: the reads of concurrent finalizes share one round trip (none is needed for a
      // row kept from the submit), and so do the writes of those whose message has no other
      // recipient (no other finalize can race for its last open one): one statement for a batch,
      // committed on its own, where BEGIN, a locked read, the statement and COMMIT took four
      // round trips per receipt.
      const finalizeOnly = this.#finalizeOnly;
      const alone = (step: FinalizeStep) => finalizeOnly.call(step).then((updated) => (updated ? { updated, messageFinal: true } : NOT_UPDATED));
      if (kept !== undefined) return apply(kept, alone).finally(forget);
      const joined = 'recipientId' in target ? await this.#toFinalize.call(id) : (await byNetworkIdCounted(this.#ctx.db, { id })).rows[0];
      if (joined === undefined) return undefined;
      if (Number(joined.recipient_count) === 1) return apply(joined, alone);
    }
    const finalized = this.#ctx.write(async (trx) => {
      if (kept !== undefined) return apply(kept, inOne(trx));
      // Exactly one finalize of a message's recipients must find it complete (see byRecipientLocked).
      const locked = this.#ctx.dialect === 'postgres';
      const find = 'recipientId' in target ? (locked ? byRecipientLocked : byRecipient) : locked ? byNetworkIdLocked : byNetworkId;
      const [joined] = (await find(trx, { id })).rows;
      return joined === undefined ? undefined : apply(joined, inOne(trx));
    });
    return kept === undefined ? finalized : finalized.finally(forget);
  }

  async #finalizeRow(
    joined: JoinedRow,
    status: FinalStatus,
    at: number,
    retentionMs: number,
    notify: DlrNotificationBuilder,
    run: (step: FinalizeStep) => Promise<FinalizeOutcome>,
  ): Promise<FinalizeResult | undefined> {
    const row = recipientRowOf(joined);
    if (isFinalStatus(row.status)) return undefined;
    const recipient = toRecipient({ ...row, status, final_at: at, updated_at: at });
    const step = { recipientId: row.id, messageId: row.message_id, status, at, expiresAt: at + retentionMs, notification: notify(toMessage(joined), recipient) };
    const { updated, messageFinal } = await run(step);
    if (!updated) return undefined;
    const message = toMessage(messageFinal ? { ...joined, status_expires_at: step.expiresAt } : joined);
    return { message, recipient, messageFinal };
  }

  async readStatus(
    appId: string,
    messageId: string,
    now: number,
    { consume = true }: { readonly consume?: boolean } = {},
  ): Promise<{ message: MessageRecord; recipients: RecipientRecord[] } | undefined> {
    const { db } = this.#ctx;
    const m = await db.selectFrom('messages').selectAll().where('id', '=', messageId).where('app_id', '=', appId).executeTakeFirst();
    if (m === undefined) return undefined;
    const message = toMessage(m);
    if (message.notifyMode === 'att' || message.statusConsumed) return undefined;
    if (message.statusExpiresAt !== null && message.statusExpiresAt <= now) return undefined;
    const rows = await db.selectFrom('message_recipients').selectAll().where('message_id', '=', messageId).orderBy('seq').execute();
    const recipients = rows.map(toRecipient);
    if (consume && recipients.every((r) => isFinalStatus(r.status))) {
      // Read-once (contract §4): only the read that flips the flag gets the final answer.
      const res = await writeOne(this.#ctx, (db) =>
        db.updateTable('messages').set({ status_consumed: 1 }).where('id', '=', messageId).where('status_consumed', '=', 0).executeTakeFirst(),
      );
      if (Number(res.numUpdatedRows) === 0) return undefined;
    }
    return { message, recipients };
  }

  async pendingRecipientIds(e164: string, limit: number, after?: string): Promise<string[]> {
    let query = this.#ctx.db.selectFrom('message_recipients').select('id').where('e164', '=', e164).where('status', '=', 'Pending');
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  async sweep(now: number, limit: number): Promise<number> {
    return this.#ctx.write(async (trx) => {
      const rows = await trx
        .selectFrom('messages')
        .select('id')
        .where('status_expires_at', 'is not', null)
        .where('status_expires_at', '<=', now)
        .limit(limit)
        .execute();
      const ids = rows.map((r) => r.id);
      if (ids.length === 0) return 0;
      await trx.deleteFrom('message_recipients').where('message_id', 'in', ids).execute();
      await trx.deleteFrom('messages').where('id', 'in', ids).execute();
      return ids.length;
    });
  }

  sweepIdempotent(now: number, limit: number): Promise<number> {
    return this.#ctx.write(async (trx) => {
      const res = await trx
        .deleteFrom('idempotency_keys')
        .where('message_id', 'in', (eb) => eb.selectFrom('idempotency_keys').select('message_id').where('expires_at', '<=', now).limit(limit))
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }
}
