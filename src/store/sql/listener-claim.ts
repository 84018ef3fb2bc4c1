import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Job } from '../repos/jobs.js';
import type { ListenerClaimOptions } from '../repos/notifications.js';
import type { Database } from '../schema.js';
import type { SqlContext } from './context.js';
import { byId, inDueOrder, leaseJobs, leaseSet, readyDue, withDueTimes } from './jobs.js';
import { perLimit, prepared } from './prepared.js';

/**
 * Candidates a listener claim reads from the head of the due jobs per round. A listener has at
 * most its few slots free when a claim runs, yet twice the runner's free workers were read: ≈ 48
 * rows on the SMPP path to take at most the one listener's 8, and the claim was the costliest
 * statement there.
 */
const CANDIDATE_PAGE = 16;

type DueValues = { kinds: string[]; now: number };

type Candidate = { id: string; queue: string | null; run_at: number; created_at: number };

const COLUMNS = ['id', 'queue', 'run_at', 'created_at'] as const;

/**
 * Whether due jobs of one due time and creation millisecond are ordered by id, the order they were
 * made in (see orderedJobId): on PostgreSQL, which otherwise returns them in the order of their
 * rows in the table, not the order they were written once rows were deleted. SQLite returns them
 * in rowid order, which is that order already; an id there would add a sort to every claim.
 */
const tiesById = (db: Kysely<Database>) => db.getExecutor().adapter instanceof PostgresAdapter;

const candidatesQuery = (db: Kysely<Database>, v: DueValues, page: number) => {
  const due = readyDue(db, v).select(COLUMNS).orderBy('run_at').orderBy('created_at');
  return (tiesById(db) ? due.orderBy('id') : due).limit(page);
};

const firstCandidates = perLimit((page) => prepared((db, v: DueValues) => candidatesQuery(db, v, page)));

/** The oldest due jobs of one queue (index jobs_queue_due), for SQLite's look past busy listeners. */
const oldestOfQueue = perLimit((n) =>
  prepared((db, v: DueValues & { queue: string }) => readyDue(db, v).select(COLUMNS).where('queue', '=', v.queue).orderBy('run_at').orderBy('created_at').limit(n)),
);

/**
 * The oldest due job of every queue, in due order: the queues with ready jobs are found by one
 * index seek each (the next queue name after the last one), and each queue's first due job by one
 * more; however many jobs the queues hold, the cost grows with the number of queues (listeners).
 */
function queueHeads(db: Kysely<Database>, v: DueValues) {
  const first = readyDue(db, v).select('id').where('queue', '=', sql.ref<string>('queues.queue')).orderBy('run_at').orderBy('created_at');
  const head = (tiesById(db) ? first.orderBy('id') : first).limit(sql.lit(1));
  return sql<Candidate>`with recursive queues(queue) as (
      select (select queue from jobs where state = 'ready' and queue is not null order by queue limit 1)
      union all
      select (select queue from jobs where state = 'ready' and queue > queues.queue order by queue limit 1) from queues where queues.queue is not null)
    select j.id, j.queue, j.run_at, j.created_at from queues join jobs j on j.id = ${head}
    order by j.run_at, j.created_at, j.id`.execute(db);
}

/** The oldest `n` due jobs of each of `queues`, in one statement (PostgreSQL). */
function oldestOfQueues(db: Kysely<Database>, v: DueValues, queues: readonly string[], n: readonly number[]) {
  const oldest = readyDue(db, v)
    .select(COLUMNS)
    .where('queue', '=', sql.ref<string>('w.queue'))
    .orderBy('run_at')
    .orderBy('created_at')
    .orderBy('id')
    .limit(sql.ref<number>('w.n'));
  return sql<Candidate>`select c.id, c.queue, c.run_at, c.created_at
    from unnest(${queues}::text[], ${n}::int[]) as w(queue, n) cross join lateral ${oldest} as c`.execute(db);
}

type LeaseValues = { ids: string[]; workerId: string; now: number; leaseEnd: number };

// PostgreSQL checks again that each is free and due (see claimForListeners; SQLite chose them in
// its write transaction and leases them with leaseJobs): another instance may have claimed one
// since, or claimed it, failed and put it off to its next try. It takes the ids as one array: one
// statement text whatever the count (each text is a prepared statement there).
const leaseIfStillFree = prepared((db, v: LeaseValues) =>
  db
    .updateTable('jobs')
    .set(leaseSet(v))
    .where((eb) => eb('id', '=', eb.fn.any(eb.val(v.ids))))
    .where('state', '=', 'ready')
    .where('run_at', '<=', v.now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', v.now)]))
    .returningAll(),
);

const byDue = (a: Candidate, b: Candidate) => Number(a.run_at) - Number(b.run_at) || Number(a.created_at) - Number(b.created_at) || byId(a.id, b.id);

/** What a claim has chosen so far: at most `limit` jobs, and no more of a queue than its free slots. */
class Choice {
  readonly chosen: Candidate[] = [];
  readonly #ids = new Set<string>();
  readonly #taken = new Map<string, number>();

  constructor(
    readonly limit: number,
    readonly freeSlots: (queue: string) => number,
  ) {}

  get full(): boolean {
    return this.chosen.length >= this.limit;
  }

  get ids(): string[] {
    return [...this.#ids];
  }

  taken(queue: string): number {
    return this.#taken.get(queue) ?? 0;
  }

  /** Slots of `queue` this claim has not taken yet. */
  left(queue: string): number {
    return this.freeSlots(queue) - this.taken(queue);
  }

  /** Takes the job unless it is taken already; false when its queue has no slot left. */
  take(row: Candidate): boolean {
    if (this.#ids.has(row.id)) return true;
    const queue = row.queue ?? '';
    if (this.left(queue) <= 0) return false;
    this.#taken.set(queue, this.taken(queue) + 1);
    this.#ids.add(row.id);
    this.chosen.push(row);
    return true;
  }
}

/**
 * Looks past the head of the due jobs, which holds jobs of listeners with no slot left, for every
 * other listener's oldest jobs: reads the oldest due job of each queue, then the oldest jobs of
 * the first `limit` queues with slots left (no other can be among the `limit` oldest takeable),
 * as many of each as it could take, and takes them oldest first. (Jobs without a queue, which
 * are not listeners', are found at the head only.)
 */
async function lookPast(db: Kysely<Database>, dialect: SqlContext['dialect'], due: DueValues, choice: Choice): Promise<void> {
  const { rows: heads } = await queueHeads(db, due);
  const queues: string[] = [];
  const counts: number[] = [];
  for (const head of heads) {
    if (queues.length === choice.limit) break;
    const queue = head.queue ?? '';
    const left = choice.left(queue);
    if (left <= 0) continue;
    queues.push(queue);
    // Its jobs taken already (from the head) are its oldest: read past them.
    counts.push(choice.taken(queue) + Math.min(left, choice.limit - choice.chosen.length));
  }
  if (queues.length === 0) return;
  let rows: Candidate[];
  if (dialect === 'postgres') {
    rows = (await oldestOfQueues(db, due, queues, counts)).rows;
  } else {
    // SQLite has no LATERAL; its statements cost no round trip.
    rows = [];
    for (const [i, queue] of queues.entries()) rows.push(...(await oldestOfQueue(counts[i] as number)(db, { ...due, queue })).rows);
  }
  for (const row of rows.sort(byDue)) {
    if (choice.full) break;
    choice.take(row);
  }
}

/** See NotificationRepo.claimForListeners. */
export function claimForListeners(ctx: SqlContext, { kinds, workerId, limit, leaseMs, now, freeSlots, lookPastBusy = true }: ListenerClaimOptions): Promise<Job[]> {
  const { dialect } = ctx;
  const page = Math.min(limit * 2, CANDIDATE_PAGE);
  // PostgreSQL runs it without a transaction (two round trips where a locking one took four):
  // the final update checks again that each chosen job is free, so of two instances choosing
  // the same job only one claims it, and the other claims fewer this time.
  const claim = async (db: Kysely<Database>) => {
    const choice = new Choice(limit, freeSlots);
    const due = { kinds: [...kinds], now };
    // Candidates a page at a time, oldest first. A page taken whole may hide more takeable jobs
    // behind it: read on. A page with jobs of a listener with no slot left ends the read; this
    // claim then looks past them (when it does), so that no backlog before another listener's
    // jobs, however long, hides them.
    let rows: Candidate[] = (await firstCandidates(page)(db, due)).rows;
    for (;;) {
      let busy = false;
      for (const row of rows) {
        if (choice.full) break;
        if (!choice.take(row)) busy = true;
      }
      if (choice.full || rows.length < page) break;
      if (busy) {
        if (lookPastBusy) await lookPast(db, dialect, due, choice);
        break;
      }
      rows = await candidatesQuery(db, due, page).where('id', 'not in', choice.ids).execute();
    }
    if (choice.chosen.length === 0) return [];
    const lease = { ids: choice.ids, workerId, now, leaseEnd: now + leaseMs };
    const { rows: claimed } = dialect === 'postgres' ? await leaseIfStillFree(db, lease) : await leaseJobs(db, lease);
    return inDueOrder(withDueTimes(claimed, choice.chosen));
  };
  return dialect === 'postgres' ? claim(ctx.db) : ctx.write(claim);
}
