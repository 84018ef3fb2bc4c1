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
import { deleteHeldJob, inDueOrder, insertJobs, leaseJobs, leaseSet, readyDue, withDueTimes } from './jobs.js';
import { perLimit, prepared } from './prepared.js';

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

/**
 * Candidates a listener claim reads per round. A listener has at most its few slots free when a
 * claim runs, yet twice the runner's free workers were read: ≈ 48 rows on the SMPP path to take at
 * most the one listener's 8, and the claim was the costliest statement there.
 */
const CANDIDATE_PAGE = 16;
/** Rounds a claim spends looking past busy listeners' jobs, when it looks past them at all. */
const LOOK_PAST_ROUNDS = 3;

type DueValues = { kinds: string[]; now: number };

const candidatesQuery = (db: Kysely<Database>, v: DueValues, page: number) =>
  readyDue(db, v).select(['id', 'queue', 'run_at']).orderBy('run_at').orderBy('created_at').limit(page);

const firstCandidates = perLimit((page) => prepared((db, v: DueValues) => candidatesQuery(db, v, page)));

type LeaseValues = { ids: string[]; workerId: string; now: number; leaseEnd: number };

// PostgreSQL checks again that each is free (see claimForListeners; SQLite chose them in its write
// transaction and leases them with leaseJobs), and takes the ids as one array: one statement text
// whatever the count (each text is a prepared statement there).
const leaseIfStillFree = prepared((db, v: LeaseValues) =>
  db
    .updateTable('jobs')
    .set(leaseSet(v))
    .where((eb) => eb('id', '=', eb.fn.any(eb.val(v.ids))))
    .where('state', '=', 'ready')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', v.now)]))
    .returningAll(),
);

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

  claimForListeners({ kinds, workerId, limit, leaseMs, now, freeSlots, lookPastBusy = true }: ListenerClaimOptions): Promise<Job[]> {
    const { dialect } = this.#ctx;
    const page = Math.min(limit * 2, CANDIDATE_PAGE);
    // PostgreSQL runs it without a transaction (two round trips where a locking one took four):
    // the final update checks again that each chosen job is free, so of two instances choosing
    // the same job only one claims it, and the other claims fewer this time.
    const claim = async (trx: Kysely<Database>) => {
      const chosen: Array<{ id: string; run_at: number }> = [];
      const taken = new Map<string, number>();
      const full = new Set<string>();
      let nullFull = false;
      let lookedPast = 0;
      // Candidates a page at a time, oldest first. A page taken whole may hide more takeable jobs
      // behind it: read on. A page with a busy listener's jobs in it ends the look, unless this
      // claim looks past busy listeners: then a few more rounds exclude them, so one listener's
      // backlog at the head of the queue cannot hide the others.
      const due = { kinds: [...kinds], now };
      while (chosen.length < limit) {
        let rows;
        if (chosen.length === 0 && full.size === 0 && !nullFull) {
          // The usual first page, with nothing to exclude yet: a prepared statement.
          rows = (await firstCandidates(page)(trx, due)).rows;
        } else {
          let candidates = candidatesQuery(trx, due, page);
          if (chosen.length > 0) candidates = candidates.where('id', 'not in', chosen.map((c) => c.id));
          if (full.size > 0) {
            const excluded = [...full];
            candidates = candidates.where((eb) => eb.or([eb('queue', 'is', null), eb('queue', 'not in', excluded)]));
          }
          if (nullFull) candidates = candidates.where('queue', 'is not', null);
          rows = await candidates.execute();
        }
        let busy = false;
        for (const row of rows) {
          if (chosen.length >= limit) break;
          const queue = row.queue ?? '';
          const used = taken.get(queue) ?? 0;
          if (used >= freeSlots(queue)) {
            busy = true;
            if (row.queue === null) nullFull = true;
            else full.add(row.queue);
            continue;
          }
          taken.set(queue, used + 1);
          chosen.push({ id: row.id, run_at: Number(row.run_at) });
        }
        if (rows.length < page) break;
        if (busy) {
          if (!lookPastBusy || lookedPast === LOOK_PAST_ROUNDS) break;
          lookedPast += 1;
        }
      }
      if (chosen.length === 0) return [];
      const lease = { ids: chosen.map((c) => c.id), workerId, now, leaseEnd: now + leaseMs };
      const { rows: claimed } = dialect === 'postgres' ? await leaseIfStillFree(trx, lease) : await leaseJobs(trx, lease);
      return inDueOrder(withDueTimes(claimed, chosen));
    };
    return dialect === 'postgres' ? claim(this.#ctx.db) : this.#ctx.write(claim);
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
