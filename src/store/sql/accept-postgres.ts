import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, JobsTable, MessageRecipientsTable, MessagesTable } from '../schema.js';

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
 * PostgreSQL's accept: the message, its recipients and their jobs in one statement, committed on
 * its own — one round trip where BEGIN, three inserts and COMMIT took five, each holding a pooled
 * connection. Recipients and jobs go in only when the message did (a repeat's idempotency key or
 * correlator collides: nothing is written). The recipients' foreign key is checked at the end of
 * the statement, after the message row is in. Resolves to whether the message was inserted.
 */
export async function acceptInOneStatement(
  db: Kysely<Database>,
  message: MessagesTable,
  recipients: readonly MessageRecipientsTable[],
  jobs: readonly JobsTable[],
): Promise<boolean> {
  // No conflict target: whichever unique index (idempotency key, correlator) fires, nothing is written.
  const parts = [sql`m as (${insertJson('messages', [message])} on conflict do nothing returning 1)`];
  if (recipients.length > 0) parts.push(sql`r as (${insertJson('message_recipients', recipients)} where exists (select from m))`);
  if (jobs.length > 0) parts.push(sql`j as (${insertJson('jobs', jobs)} where exists (select from m))`);
  const { rows } = await sql<{ n: number }>`with ${sql.join(parts)} select count(*) as n from m`.execute(db);
  return Number(rows[0]?.n) > 0;
}
