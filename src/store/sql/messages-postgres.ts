import { sql, type Kysely } from 'kysely';
import type { NewNotification } from '../repos/notifications.js';
import { FINAL_STATUSES } from '../repos/messages.js';
import type { Database } from '../schema.js';
import { insertJson } from './accept-postgres.js';
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
  const column = <K extends keyof SubmittedStep>(key: K) => steps.map((s) => s[key]);
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
