import { sql, type Kysely } from 'kysely';
import type { NewNotification } from '../repos/notifications.js';
import { FINAL_STATUSES } from '../repos/messages.js';
import type { Database } from '../schema.js';
import { insertJson, insertJsonIfOwnerKept } from './accept-postgres.js';
import { jobRows } from './jobs.js';
import { notificationJob, notificationRow } from './notifications.js';

export interface FinalizeStep {
  readonly recipientId: string;
  readonly messageId: string;
  readonly status: string;
  readonly at: number;
  /** The message's status_expires_at if this was its last open recipient. */
  readonly expiresAt: number;
  readonly notification: NewNotification | null;
}

/**
 * PostgreSQL's finalize after the message row is locked (see messages.ts): the recipient's final
 * state, the count of the message's other open recipients, the message's expiry when none is left,
 * and the delivery notification with its webhook job, in one statement — one round trip where
 * four or five were. Every part after the update happens only if the update did (a recipient
 * already final changes nothing). Each statement of a transaction sees the commits made before it
 * started, so the count sees every other finalize of the message that held the lock before us.
 */
export async function finalizeInOneStatement(trx: Kysely<Database>, step: FinalizeStep): Promise<{ updated: boolean; messageFinal: boolean }> {
  const finals = sql.join(FINAL_STATUSES.map((s) => sql`${s}`));
  const parts = [
    sql`u as (update message_recipients set status = ${step.status}, final_at = ${step.at}, updated_at = ${step.at}
      where id = ${step.recipientId} and status not in (${finals}) returning 1)`,
    sql`o as (select count(*) as n from message_recipients where message_id = ${step.messageId} and id <> ${step.recipientId} and status not in (${finals}))`,
    sql`e as (update messages set status_expires_at = ${step.expiresAt} where id = ${step.messageId} and exists (select from u) and (select n from o) = 0 returning 1)`,
  ];
  const n = step.notification;
  if (n !== null) {
    parts.push(sql`n as (${insertJson('notifications', [notificationRow(n)])} where exists (select from u))`);
    parts.push(sql`j as (${insertJson('jobs', jobRows([notificationJob(n)], n.createdAt))} where exists (select from u))`);
  }
  const { rows } = await sql<{ updated: number; open: number }>`with ${sql.join(parts)} select (select count(*) from u) as updated, (select n from o) as open`.execute(trx);
  const updated = Number(rows[0]?.updated) > 0;
  return { updated, messageFinal: updated && Number(rows[0]?.open) === 0 };
}

/**
 * PostgreSQL's finalize of recipients that are their message's only one, for a batch of receipts
 * (see coalesce.ts): no other recipient can race for the message's last open one, so no lock and
 * no count are needed, and the batch is one statement committed on its own where each receipt
 * took one. As in finalizeInOneStatement, a recipient already final changes nothing, and its
 * message's expiry, notification and webhook job are written only if its update was. A recipient
 * named twice in a batch (a repeated receipt) is finalized by its first step; the others answer
 * "not updated", as they would after it. Answers, per step, whether it finalized its recipient
 * (and with it the message).
 */
export async function finalizeOnlyRecipientsInOneStatement(db: Kysely<Database>, steps: readonly FinalizeStep[]): Promise<boolean[]> {
  const firsts = new Map<string, FinalizeStep>();
  for (const s of steps) if (!firsts.has(s.recipientId)) firsts.set(s.recipientId, s);
  // Rows locked in one order by every batch, so two batches cannot wait for each other.
  const unique = [...firsts.values()].sort((a, b) => (a.recipientId < b.recipientId ? -1 : 1));
  const column = <K extends keyof FinalizeStep>(key: K) => unique.map((s) => s[key]);
  const finals = sql.join(FINAL_STATUSES.map((s) => sql`${s}`));
  const parts = [
    sql`v as (select * from unnest(${column('recipientId')}::text[], ${column('messageId')}::text[], ${column('status')}::text[], ${column('at')}::int8[], ${column('expiresAt')}::int8[])
      as v(recipient_id, message_id, status, at, expires_at))`,
    sql`u as (update message_recipients r set status = v.status, final_at = v.at, updated_at = v.at
      from v where r.id = v.recipient_id and r.status not in (${finals}) returning r.id)`,
    sql`e as (update messages m set status_expires_at = v.expires_at from v where m.id = v.message_id and v.recipient_id in (select id from u))`,
  ];
  const notified = unique.filter((s): s is FinalizeStep & { notification: NewNotification } => s.notification !== null);
  if (notified.length > 0) {
    const owners = notified.map((s) => s.recipientId);
    parts.push(sql`n as (${insertJsonIfOwnerKept('notifications', notified.map((s) => notificationRow(s.notification)), owners, 'u')})`);
    parts.push(sql`j as (${insertJsonIfOwnerKept('jobs', notified.flatMap((s) => jobRows([notificationJob(s.notification)], s.notification.createdAt)), owners, 'u')})`);
  }
  const { rows } = await sql<{ id: string }>`with ${sql.join(parts)} select id from u`.execute(db);
  const updated = new Set(rows.map((r) => r.id));
  return steps.map((s) => firsts.get(s.recipientId) === s && updated.has(s.recipientId));
}

/** A submit the network accepted, with the job that carried it (see MessageRepo.markSubmitted). */
export interface SubmittedStep {
  readonly recipientId: string;
  readonly networkId: string;
  readonly now: number;
  readonly jobId: string;
  readonly workerId: string;
}

/**
 * PostgreSQL's submit status with the job's acknowledgement, for a batch of submits (see
 * coalesce.ts): each recipient goes to DeliveredToNetwork (unless a receipt already made it
 * final) and its job is deleted if its worker still holds it, in one statement — one round trip
 * where a transaction per submit would take four and a separate ack one more. Answers, per
 * submit, whether its job was deleted.
 */
export async function markSubmittedInOneStatement(db: Kysely<Database>, steps: readonly SubmittedStep[]): Promise<boolean[]> {
  // The recipients in the order a batch of finalizes locks them (see finalizeOnlyRecipientsInOneStatement).
  const sorted = [...steps].sort((a, b) => (a.recipientId < b.recipientId ? -1 : 1));
  const column = <K extends keyof SubmittedStep>(key: K) => sorted.map((s) => s[key]);
  const { rows } = await sql<{ id: string }>`with v as (
      select * from unnest(${column('recipientId')}::text[], ${column('networkId')}::text[], ${column('now')}::int8[], ${column('jobId')}::text[], ${column('workerId')}::text[])
        as v(recipient_id, network_id, now, job_id, worker_id)),
    m as (update message_recipients r
      set network_id = v.network_id, status = case when r.status = ${'Pending'} then ${'DeliveredToNetwork'} else r.status end, updated_at = v.now
      from v where r.id = v.recipient_id returning 1),
    d as (delete from jobs j using v where j.id = v.job_id and j.locked_by = v.worker_id returning j.id)
    select id from d`.execute(db);
  const deleted = new Set(rows.map((r) => r.id));
  return steps.map((s) => deleted.has(s.jobId));
}
