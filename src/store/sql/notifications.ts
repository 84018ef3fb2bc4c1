import { sql, type Kysely, type QueryCreator } from 'kysely';
import type { Job, NewJob } from '../repos/jobs.js';
import {
  WEBHOOK_JOB_KIND,
  type DeadLetter,
  type ListenerClaimOptions,
  type NewNotification,
  type NotificationKind,
  type NotificationRecord,
  type NotificationRepo,
  type NotificationTarget,
} from '../repos/notifications.js';
import type { Database, NotificationsTable } from '../schema.js';
import type { SqlContext } from './context.js';
import { Coalescer, lookupByKey } from './coalesce.js';
import { deleteHeldJob, insertJobs } from './jobs.js';
import { claimForListeners } from './listener-claim.js';
import { prepared } from './prepared.js';

export function toNotification(row: NotificationsTable): NotificationRecord {
  return {
    id: row.id,
    appId: row.app_id,
    kind: row.kind as NotificationKind,
    target: row.target as NotificationTarget,
    shortCode: row.short_code,
    url: row.url,
    contentType: row.content_type,
    body: row.body,
    createdAt: Number(row.created_at),
  };
}

export function notificationRow(n: NewNotification): NotificationsTable {
  return {
    id: n.id,
    app_id: n.appId,
    kind: n.kind,
    target: n.target,
    short_code: n.shortCode,
    url: n.url,
    content_type: n.contentType,
    body: n.body,
    created_at: n.createdAt,
  };
}

/** The webhook job that delivers a notification. */
export function notificationJob(n: NewNotification): NewJob {
  return { kind: WEBHOOK_JOB_KIND, ref: n.id, queue: n.queue, runAt: n.createdAt, deadlineAt: n.deadlineAt };
}

const insertRow = prepared((db, n: NewNotification) => db.insertInto('notifications').values(notificationRow(n)));

const withSecret = prepared((db, v: { id: string }) =>
  db
    .selectFrom('notifications')
    .innerJoin('apps', 'apps.id', 'notifications.app_id')
    .selectAll('notifications')
    .select('apps.signing_secret')
    .where('notifications.id', '=', v.id),
);

type HeldWebhook = { jobId: string; workerId: string };
const deleteNotificationOf = (db: QueryCreator<Database>, v: HeldWebhook) =>
  db.deleteFrom('notifications').where('id', '=', (eb) => eb.selectFrom('jobs').select('ref').where('id', '=', v.jobId).where('locked_by', '=', v.workerId));
const deleteOfJob = prepared(deleteNotificationOf);
// PostgreSQL: the reads and acknowledgements of concurrent webhook POSTs share statements (see coalesce.ts).
const withSecrets = prepared((db, v: { ids: string[] }) =>
  db
    .selectFrom('notifications')
    .innerJoin('apps', 'apps.id', 'notifications.app_id')
    .selectAll('notifications')
    .select('apps.signing_secret')
    .where('notifications.id', '=', (eb) => eb.fn.any(eb.val(v.ids))),
);
type WithSecretRow = Awaited<ReturnType<typeof withSecrets>>['rows'][number];

/** Deletes the notifications and jobs of `held` whose workers still hold them; answers the job ids deleted. */
async function deleteHeldWebhooks(db: Kysely<Database>, held: readonly HeldWebhook[]): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`with h as (select * from unnest(${held.map((h) => h.jobId)}::text[], ${held.map((h) => h.workerId)}::text[]) as h(job_id, worker_id)),
    j as (delete from jobs using h where jobs.id = h.job_id and jobs.locked_by = h.worker_id returning jobs.id, jobs.ref),
    n as (delete from notifications where id in (select ref from j))
    select id from j`.execute(db);
  return new Set(rows.map((r) => r.id));
}

/** Inserts a notification and its webhook job; used inside other repositories' transactions too. */
export async function insertNotification(trx: Kysely<Database>, n: NewNotification): Promise<void> {
  await insertRow(trx, n);
  await insertJobs(trx, [notificationJob(n)], n.createdAt);
}

export class SqlNotificationRepo implements NotificationRepo {
  readonly #ctx: SqlContext;
  readonly #reads: Coalescer<string, WithSecretRow | undefined> | undefined;
  readonly #acks: Coalescer<HeldWebhook, boolean> | undefined;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      this.#reads = lookupByKey(async (ids) => (await withSecrets(ctx.db, { ids })).rows, (row) => row.id);
      this.#acks = new Coalescer({
        maxBatch: 100,
        run: async (held) => {
          const deleted = await deleteHeldWebhooks(ctx.db, held);
          return held.map((h) => deleted.has(h.jobId));
        },
      });
    }
  }

  create(notification: NewNotification): Promise<boolean> {
    return this.#ctx.write(async (trx) => {
      // PostgreSQL: two instances creating the same notification at once would both find nothing
      // and one would fail on the key; the lock makes the second wait and then see the first's row.
      if (this.#ctx.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${notification.id}))`.execute(trx);
      const existing = await trx.selectFrom('notifications').select('id').where('id', '=', notification.id).executeTakeFirst();
      if (existing !== undefined) return false;
      await insertNotification(trx, notification);
      return true;
    });
  }

  async get(id: string): Promise<{ notification: NotificationRecord; signingSecret: string } | undefined> {
    const row = this.#reads !== undefined ? await this.#reads.call(id) : (await withSecret(this.#ctx.db, { id })).rows[0];
    if (row === undefined) return undefined;
    return { notification: toNotification(row), signingSecret: row.signing_secret };
  }

  async acknowledge(jobId: string, workerId: string): Promise<boolean> {
    if (this.#acks !== undefined) return this.#acks.call({ jobId, workerId });
    return this.#ctx.write(async (trx) => {
      await deleteOfJob(trx, { jobId, workerId });
      return deleteHeldJob(trx, { id: jobId, workerId });
    });
  }

  claimForListeners(options: ListenerClaimOptions): Promise<Job[]> {
    return claimForListeners(this.#ctx, options);
  }

  async deadLetters(appId: string, limit: number): Promise<DeadLetter[]> {
    const rows = await this.#deadQuery(appId).orderBy('notifications.created_at').limit(limit).execute();
    return rows.map((r) => ({ ...toNotification(r), attempts: Number(r.attempts), lastError: r.last_error }));
  }

  async deadLetter(appId: string, id: string): Promise<DeadLetter | undefined> {
    const r = await this.#deadQuery(appId).where('notifications.id', '=', id).executeTakeFirst();
    return r === undefined ? undefined : { ...toNotification(r), attempts: Number(r.attempts), lastError: r.last_error };
  }

  #deadQuery(appId: string) {
    return this.#ctx.db
      .selectFrom('notifications')
      .innerJoin('jobs', (join) => join.onRef('jobs.ref', '=', 'notifications.id').on('jobs.kind', '=', WEBHOOK_JOB_KIND))
      .selectAll('notifications')
      .select(['jobs.attempts', 'jobs.last_error'])
      .where('notifications.app_id', '=', appId)
      .where('jobs.state', '=', 'dead');
  }

  sweepDeadLetters(before: number, limit: number): Promise<number> {
    return this.#ctx.write(async (trx) => {
      const dead = await trx
        .selectFrom('jobs')
        .select(['id', 'ref'])
        .where('kind', '=', WEBHOOK_JOB_KIND)
        .where('state', '=', 'dead')
        .where('deadline_at', '<', before)
        .limit(limit)
        .execute();
      if (dead.length === 0) return 0;
      // Still dead: on PostgreSQL a replay may have committed since the read (it waited for our lock).
      const deleted = await trx.deleteFrom('jobs').where('id', 'in', dead.map((d) => d.id)).where('state', '=', 'dead').returning('ref').execute();
      if (deleted.length > 0) await trx.deleteFrom('notifications').where('id', 'in', deleted.map((d) => d.ref)).execute();
      return deleted.length;
    });
  }

  replay(appId: string, id: string, change: { url: string; queue: string; now: number; deadlineAt: number }): Promise<boolean> {
    return this.#ctx.write(async (trx) => {
      const owned = await trx.selectFrom('notifications').select('id').where('id', '=', id).where('app_id', '=', appId).executeTakeFirst();
      if (owned === undefined) return false;
      const revived = await trx
        .updateTable('jobs')
        .set({
          state: 'ready',
          run_at: change.now,
          attempts: 0,
          deadline_at: change.deadlineAt,
          queue: change.queue,
          locked_by: null,
          locked_until: null,
        })
        .where('kind', '=', WEBHOOK_JOB_KIND)
        .where('ref', '=', id)
        .where('state', '=', 'dead')
        .executeTakeFirst();
      if (revived.numUpdatedRows === 0n) return false;
      await trx.updateTable('notifications').set({ url: change.url }).where('id', '=', id).execute();
      return true;
    });
  }
}
