import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, IdempotencyKeysTable, JobsTable, MessageRecipientsTable, MessagesTable } from '../schema.js';
import { WriteOutcomeUnknownError } from '../store.js';

/**
 * `insert into <table> (<columns>) select <columns> from json_populate_recordset(…)`: a batch of
 * rows as one JSON parameter, decoded by the table's own row type (no cast per column, one
 * statement text whatever the batch size). The columns are those the rows carry.
 */
export function insertJson(table: keyof Database, rows: readonly object[]): RawBuilder<unknown> {
  const columns = sql.join(Object.keys(rows[0] ?? {}).map((c) => sql.ref(c)));
  return sql`insert into ${sql.table(table)} (${columns}) select ${columns} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)})`;
}

/**
 * As insertJson, for rows written only if their owner is among the ids a data-modifying CTE of
 * the same statement returned: `owners` names each row's owner, in the same order (the rows
 * themselves do not name it).
 */
export function insertJsonIfOwnerKept(table: keyof Database, rows: readonly object[], owners: readonly string[], kept: string): RawBuilder<unknown> {
  const names = Object.keys(rows[0] ?? {});
  return sql`insert into ${sql.table(table)} (${sql.join(names.map((c) => sql.ref(c)))})
      select ${sql.join(names.map((c) => sql.ref(`x.${c}`)))} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}) with ordinality as x
      join unnest(${owners}::text[]) with ordinality as o(owner, n) on o.n = x.ordinality
      where o.owner in (select id from ${sql.table(kept)})`;
}

/**
 * Rows for several tables inserted by one statement (each table's rows as one JSON parameter):
 * one round trip for writes that need no answer but "stored".
 */
export async function insertRowsInOneStatement(db: Kysely<Database>, tables: ReadonlyArray<readonly [keyof Database, readonly object[]]>): Promise<void> {
  const parts = tables.filter(([, rows]) => rows.length > 0).map(([table, rows], i) => sql`${sql.raw(`t${i}`)} as (${insertJson(table, rows)})`);
  if (parts.length > 0) await sql`with ${sql.join(parts)} select 1`.execute(db);
}

/** One message to accept: its row, its recipients', its jobs' and its idempotency keys' (if any). */
export interface AcceptRows {
  readonly message: MessagesTable;
  readonly recipients: readonly MessageRecipientsTable[];
  readonly jobs: readonly JobsTable[];
  readonly keys: IdempotencyKeysTable | null;
}

/**
 * PostgreSQL's accept: messages with their recipients, jobs and idempotency keys in one statement,
 * committed on its own — one round trip for a batch of concurrent accepts (see coalesce.ts) where
 * BEGIN, three inserts and COMMIT took five per message, each holding a pooled connection. A
 * message whose id is taken (another instance drew it too) is skipped with its rows. An idempotency
 * key or correlator another send holds (or one before it in the batch) is not skipped but fails the
 * whole statement, nothing written (see isKeyTaken): a skipped key could not take back its message,
 * written by the same statement. That takes two requests with one key at once (a repeat of a
 * stored send is answered before it gets here); the batch's other accepts then run again alone.
 * The recipients' foreign key is checked at the end of the statement, after the message rows are
 * in. Resolves, per message, to whether it was inserted.
 */
export async function acceptInOneStatement(db: Kysely<Database>, batch: readonly AcceptRows[]): Promise<boolean[]> {
  const recipients = batch.flatMap((b) => b.recipients);
  const jobs = batch.flatMap((b) => b.jobs);
  const keys = batch.flatMap((b) => (b.keys === null ? [] : [b.keys]));
  const parts = [sql`m as (${insertJson('messages', batch.map((b) => b.message))} on conflict do nothing returning id)`];
  if (recipients.length > 0) parts.push(sql`r as (${insertJson('message_recipients', recipients)} where message_id in (select id from m))`);
  if (keys.length > 0) parts.push(sql`k as (${insertJson('idempotency_keys', keys)} where message_id in (select id from m))`);
  if (jobs.length > 0) {
    // A job row names no message: the owners, in the same order, go beside the rows.
    parts.push(sql`j as (${insertJsonIfOwnerKept('jobs', jobs, batch.flatMap((b) => b.jobs.map(() => b.message.id)), 'm')})`);
  }
  const { rows } = await sql<{ id: string }>`with ${sql.join(parts)} select id from m`.execute(db);
  const inserted = new Set(rows.map((r) => r.id));
  return batch.map((b) => inserted.has(b.message.id));
}

/** PostgreSQL's error for an accept statement that met an idempotency key or correlator another send holds. */
export function isKeyTaken(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err) || !('table' in err)) return false;
  return err.code === '23505' && err.table === 'idempotency_keys';
}

/**
 * After an accept statement whose answer was lost with its connection (`lost`): reads back which
 * of the batch's messages it stored. One of them found means the statement committed, and the
 * others were skipped as taken (answered as acceptInOneStatement would have). None found is
 * still unknown — the statement may not have run, may have skipped them all, or may commit after
 * this read — so `lost` is thrown (503): answering "not stored" there could store a message twice.
 * A message counts as found only with its own app, creation time and request hash (that of its
 * idempotency keys; none without them).
 */
export async function storedDespiteLostAnswer(db: Kysely<Database>, batch: readonly AcceptRows[], lost: WriteOutcomeUnknownError): Promise<boolean[]> {
  const { rows } = await sql<Pick<MessagesTable, 'id' | 'app_id' | 'created_at'> & { request_hash: string | null }>`select m.id, m.app_id, m.created_at, k.request_hash
    from messages m left join idempotency_keys k on k.message_id = m.id where m.id = any(${batch.map((b) => b.message.id)}::text[])`.execute(db);
  const found = new Map(rows.map((r) => [r.id, r]));
  const stored = batch.map(({ message: m, keys }) => {
    const row = found.get(m.id);
    return row !== undefined && row.app_id === m.app_id && Number(row.created_at) === m.created_at && row.request_hash === (keys?.request_hash ?? null);
  });
  if (!stored.includes(true)) throw lost;
  return stored;
}
