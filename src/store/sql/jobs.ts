import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type QueryCreator } from 'kysely';
import { timeOrderedHexSource } from '../../ordered-ids.js';
import type { ClaimOptions, Job, JobRepo, NewJob } from '../repos/jobs.js';
import type { Database, JobsTable } from '../schema.js';
import { insertJson } from './accept-postgres.js';
import { Coalescer, coalescedWrites } from './coalesce.js';
import { writeOne, type SqlContext } from './context.js';
import { perLimit, prepared } from './prepared.js';

export function toJob(row: JobsTable): Job {
  return {
    id: row.id,
    kind: row.kind,
    ref: row.ref,
    queue: row.queue,
    payload: row.payload,
    runAt: Number(row.run_at),
    attempts: Number(row.attempts),
    deadlineAt: Number(row.deadline_at),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
  };
}

const jobHex = timeOrderedHexSource();

/**
 * Time-ordered (timeOrderedHexSource), so new jobs land at the right edge of the job table's key
 * index and ids of one millisecond sort in the order their jobs were made (claims order ties by
 * id); the UUID keeps ids unique across processes.
 */
function orderedJobId(now: number): string {
  return `${jobHex(now)}-${randomUUID()}`;
}

/** Rows to insert for new jobs (the accept's single statement on PostgreSQL takes them as they are). */
export function jobRows(jobs: readonly NewJob[], now: number): JobsTable[] {
  return jobs.map((j) => ({
    id: orderedJobId(now),
    kind: j.kind,
    ref: j.ref,
    queue: j.queue ?? null,
    payload: j.payload ?? null,
    state: 'ready' as const,
    run_at: j.runAt,
    attempts: 0,
    locked_by: null,
    locked_until: null,
    deadline_at: j.deadlineAt,
    last_error: null,
    created_at: now,
  }));
}

const insertOne = prepared((db, j: JobsTable) =>
  db.insertInto('jobs').values({
    id: j.id,
    kind: j.kind,
    ref: j.ref,
    queue: j.queue,
    payload: j.payload,
    state: j.state,
    run_at: j.run_at,
    attempts: j.attempts,
    locked_by: j.locked_by,
    locked_until: j.locked_until,
    deadline_at: j.deadline_at,
    last_error: j.last_error,
    created_at: j.created_at,
  }),
);

/** Inserts new jobs; also used by repositories that enqueue inside their own transaction. */
export async function insertJobs(db: Kysely<Database>, jobs: readonly NewJob[], now: number): Promise<void> {
  const rows = jobRows(jobs, now);
  const [only] = rows;
  // Nearly every enqueue is one job: that shape is prepared once.
  if (rows.length === 1 && only !== undefined) await insertOne(db, only);
  else if (rows.length > 0) await db.insertInto('jobs').values(rows).execute();
}

const deleteHeld = prepared((db, v: { id: string; workerId: string }) => db.deleteFrom('jobs').where('id', '=', v.id).where('locked_by', '=', v.workerId));

const rescheduleHeld = prepared((db, v: { id: string; workerId: string; runAt: number; error: string }) =>
  db
    .updateTable('jobs')
    .set({ run_at: v.runAt, locked_by: null, locked_until: null, last_error: v.error })
    .where('id', '=', v.id)
    .where('locked_by', '=', v.workerId),
);

type RenewValues = { ids: string[]; workerId: string; heldUntil: number; until: number };
// The lease's end moves with run_at, as a claim's does (see leaseSet).
const renewSet = (v: RenewValues) => ({ locked_until: v.until, run_at: v.until });
const renewHeld = prepared((db, v: RenewValues) =>
  db.updateTable('jobs').set(renewSet(v)).where('id', 'in', v.ids).where('locked_by', '=', v.workerId).where('locked_until', '=', v.heldUntil).returning('id'),
);
// PostgreSQL: the ids as one array, one statement text whatever their count.
const renewHeldArray = prepared((db, v: RenewValues) =>
  db
    .updateTable('jobs')
    .set(renewSet(v))
    .where((eb) => eb('id', '=', eb.fn.any(eb.val(v.ids))))
    .where('locked_by', '=', v.workerId)
    .where('locked_until', '=', v.heldUntil)
    .returning('id'),
);

const buryHeld = prepared((db, v: { id: string; workerId: string; error: string }) =>
  db.updateTable('jobs').set({ state: 'dead', locked_by: null, locked_until: null, last_error: v.error }).where('id', '=', v.id).where('locked_by', '=', v.workerId),
);

/** PostgreSQL: the jobs of `held` their workers still hold deleted in one statement; answers the ids deleted. */
async function deleteHeldJobs(db: Kysely<Database>, held: readonly { readonly id: string; readonly workerId: string }[]): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`delete from jobs using unnest(${held.map((h) => h.id)}::text[], ${held.map((h) => h.workerId)}::text[]) as h(id, worker_id)
    where jobs.id = h.id and jobs.locked_by = h.worker_id returning jobs.id`.execute(db);
  return new Set(rows.map((r) => r.id));
}

/** Deletes a job its worker still holds; false when the lease went to someone else. */
export async function deleteHeldJob(db: Kysely<Database>, held: { id: string; workerId: string }): Promise<boolean> {
  return ((await deleteHeld(db, held)).numAffectedRows ?? 0n) > 0n;
}

/** Every job whose lease has not run out at `now` made due at `now`, unheld; answers how many. */
export async function releaseLeases(db: Kysely<Database>, now: number): Promise<number> {
  const res = await db.updateTable('jobs').set({ run_at: now, locked_by: null, locked_until: null }).where('state', '=', 'ready').where('locked_until', '>=', now).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

type ClaimedRow = JobsTable & { due_at: number };

type ClaimValues = { kinds: string[]; workerId: string; now: number; leaseEnd: number };

/** Jobs of `kinds` that are ready, due and not held: what every claim chooses from. */
export const readyDue = (db: QueryCreator<Database>, v: { kinds: string[]; now: number }) =>
  db
    .selectFrom('jobs')
    .where('state', '=', 'ready')
    .where('kind', 'in', v.kinds)
    .where('run_at', '<=', v.now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', v.now)]));

/** A claim's lease: held by the worker until `leaseEnd`, which is also the job's next run time (see JobRepo). */
export const leaseSet = (v: { workerId: string; leaseEnd: number }) => ({ locked_by: v.workerId, locked_until: v.leaseEnd, run_at: v.leaseEnd, attempts: sql<number>`attempts + 1` });

const dueQuery = (db: QueryCreator<Database>, v: ClaimValues, limit: number) => readyDue(db, v).select(['id', 'run_at']).orderBy('run_at').limit(limit);

const dueJobs = perLimit((limit) => prepared((db, v: ClaimValues) => dueQuery(db, v, limit)));

/**
 * Leases jobs a claim chose in its own SQLite write transaction. With `state` in the condition, SQLite's planner walked the due-jobs
 * index over every ready job of every kind (≈ 0.6 ms per claim with a backlog) instead of looking
 * the ids up.
 */
export const leaseJobs = prepared((db, v: { ids: string[]; workerId: string; leaseEnd: number }) =>
  db
    .updateTable('jobs')
    .set(leaseSet(v))
    .where('id', 'in', v.ids)
    .returningAll(),
);

const claimDueSkippingLocked = perLimit((limit) =>
  prepared((db, v: ClaimValues) =>
    db
      // Ties in the order the jobs were made (see orderedJobId): PostgreSQL returns equal keys in
      // the order of their rows in the table, which is not the order they were written once rows were deleted.
      .with('due', (qc) => dueQuery(qc, v, limit).orderBy('created_at').orderBy('id').forUpdate().skipLocked())
      .updateTable('jobs')
      .from('due')
      .set(leaseSet(v))
      .whereRef('jobs.id', '=', 'due.id')
      .returningAll('jobs')
      .returning('due.run_at as due_at'),
  ),
);

/** Claimed rows (their run_at now the lease's end) with the due time each had, from the select that chose them. */
export function withDueTimes(claimed: readonly JobsTable[], chosen: ReadonlyArray<{ id: string; run_at: number }>): ClaimedRow[] {
  const dueAt = new Map(chosen.map((c) => [c.id, Number(c.run_at)]));
  return claimed.map((r) => ({ ...r, due_at: dueAt.get(r.id) ?? Number(r.run_at) }));
}

/** Jobs of one due time and creation millisecond in the order they were made (see orderedJobId). */
export const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Claimed jobs answered with the due time they had, oldest first (see JobRepo.claim). */
export function inDueOrder(rows: readonly ClaimedRow[]): Job[] {
  return rows.map((r) => ({ ...toJob(r), runAt: Number(r.due_at) })).sort((a, b) => a.runAt - b.runAt || a.createdAt - b.createdAt || byId(a.id, b.id));
}

export class SqlJobRepo implements JobRepo {
  readonly #ctx: SqlContext;
  // PostgreSQL: concurrent enqueues and acks share a statement each (see coalesce.ts).
  readonly #enqueues: Coalescer<readonly JobsTable[], undefined> | undefined;
  readonly #acks: Coalescer<{ id: string; workerId: string }, boolean> | undefined;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      this.#enqueues = coalescedWrites(async (batches) => {
        await insertJson('jobs', batches.flat()).execute(ctx.db);
      });
      this.#acks = new Coalescer({
        maxBatch: 100,
        run: async (held) => {
          const deleted = await deleteHeldJobs(ctx.db, held);
          return held.map((h) => deleted.has(h.id));
        },
      });
    }
  }

  async enqueue(jobs: readonly NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    if (this.#enqueues !== undefined) return this.#enqueues.call(jobRows(jobs, Date.now()));
    await writeOne(this.#ctx, (db) => insertJobs(db, jobs, Date.now()));
  }

  async claim({ kinds, workerId, limit, leaseMs, now }: ClaimOptions): Promise<Job[]> {
    // Claims, acks and retries go through the group commit like every hot write: one fsync per
    // batch instead of one per job. A claim moves run_at to the lease's end (see JobRepo), so it
    // answers each job with the due time it had, which orders the batch.
    // On PostgreSQL the claim is one statement, its own transaction: no BEGIN and COMMIT.
    return inDueOrder(await writeOne(this.#ctx, (db) => this.#claim(db, { kinds, workerId, limit, leaseMs, now })));
  }

  async #claim(trx: Kysely<Database>, { kinds, workerId, limit, leaseMs, now }: ClaimOptions): Promise<ClaimedRow[]> {
    const lease = { kinds: [...kinds], workerId, now, leaseEnd: now + leaseMs };
    // PostgreSQL: SKIP LOCKED, so concurrent instances take disjoint rows without waiting; one round trip.
    if (this.#ctx.dialect === 'postgres') return (await claimDueSkippingLocked(limit)(trx, lease)).rows;
    // SQLite has one writer, so nothing can come between the select and the update.
    const { rows } = await dueJobs(limit)(trx, lease);
    if (rows.length === 0) return [];
    const updated = await leaseJobs(trx, { ids: rows.map((r) => r.id), workerId, leaseEnd: lease.leaseEnd });
    return withDueTimes(updated.rows, rows);
  }

  async complete(id: string, workerId: string): Promise<boolean> {
    if (this.#acks !== undefined) return this.#acks.call({ id, workerId });
    return writeOne(this.#ctx, (db) => deleteHeldJob(db, { id, workerId }));
  }

  async reschedule(id: string, workerId: string, runAt: number, error: string): Promise<boolean> {
    const res = await writeOne(this.#ctx, (db) => rescheduleHeld(db, { id, workerId, runAt, error }));
    return (res.numAffectedRows ?? 0n) > 0n;
  }

  async renew(ids: readonly string[], workerId: string, heldUntil: number, until: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const v = { ids: [...ids], workerId, heldUntil, until };
    const { rows } = await writeOne(this.#ctx, (db) => (this.#ctx.dialect === 'postgres' ? renewHeldArray(db, v) : renewHeld(db, v)));
    return rows.map((r) => r.id);
  }

  async bury(id: string, workerId: string, error: string): Promise<boolean> {
    const res = await writeOne(this.#ctx, (db) => buryHeld(db, { id, workerId, error }));
    return (res.numAffectedRows ?? 0n) > 0n;
  }

  async wake(kind: string, refs: readonly string[], now: number): Promise<number> {
    return refs.length === 0 ? 0 : this.#wakeWaiting(kind, now, refs);
  }

  async wakeAll(kind: string, now: number): Promise<number> {
    return this.#wakeWaiting(kind, now);
  }

  /** Waiting (ready, unheld, not yet due) jobs of `kind`, optionally only those of `refs`, run now. */
  async #wakeWaiting(kind: string, now: number, refs?: readonly string[]): Promise<number> {
    const res = await this.#ctx.write((trx) => {
      let query = trx
        .updateTable('jobs')
        .set({ run_at: now })
        .where('state', '=', 'ready')
        .where('kind', '=', kind)
        .where('run_at', '>', now)
        .where('locked_by', 'is', null);
      if (refs !== undefined) query = query.where('ref', 'in', refs);
      return query.executeTakeFirst();
    });
    return Number(res.numUpdatedRows);
  }

  async backlog(now: number): Promise<{ ready: number; oldestDueMs: number }> {
    const row = await this.#ctx.db
      .selectFrom('jobs')
      .select((eb) => [eb.fn.countAll<number>().as('ready'), eb.fn.min('run_at').as('oldest')])
      .where('state', '=', 'ready')
      .where('run_at', '<=', now)
      .executeTakeFirstOrThrow();
    const oldest = row.oldest === null ? now : Number(row.oldest);
    return { ready: Number(row.ready), oldestDueMs: Math.max(0, now - oldest) };
  }
}
