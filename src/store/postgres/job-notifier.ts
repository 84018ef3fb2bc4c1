import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';
import { reasonOf } from './connection-errors.js';

export const JOBS_CHANNEL = 'switchboard_jobs';

const TRIGGER = 'jobs_notify_unheld';
const FUNCTION = 'switchboard_jobs_notify_kind';
/** Triggers and the function of earlier versions (the function sent no kind). */
const OLD_TRIGGER = 'jobs_notify';
const OLD_FUNCTION = 'switchboard_jobs_notify';

/**
 * Makes every commit that adds jobs or moves their run time (a new job, a retry, a wake-up) send
 * a NOTIFY on `switchboard_jobs` with the job's kind as payload, so each instance wakes only the
 * runner of that kind. A trigger covers every path, including repositories that insert jobs
 * inside their own transactions; PostgreSQL delivers the notification only on commit and folds
 * duplicates within one transaction. A claim moves run_at too, to its lease's end, but the job
 * it leaves is held (locked_by set), so claims stay silent.
 * Installs under a transaction-level advisory lock: `CREATE OR REPLACE FUNCTION` from two
 * instances starting together would otherwise fail with "tuple concurrently updated".
 */
export async function installJobsTrigger(db: Kysely<Database>): Promise<void> {
  // Creating a trigger locks the jobs table against writes for a moment: only do it when missing.
  const present = async (q: Kysely<Database>) => {
    const { rows } = await sql<{ n: number }>`
      select count(*) as n from pg_trigger t join pg_proc p on p.oid = t.tgfoid
      where t.tgname = ${TRIGGER} and t.tgrelid = 'jobs'::regclass and p.proname = ${FUNCTION}`.execute(q);
    return Number(rows[0]?.n) > 0;
  };
  if (await present(db)) return;
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${JOBS_CHANNEL}))`.execute(trx);
    if (await present(trx)) return;
    await sql`
      create or replace function ${sql.id(FUNCTION)}() returns trigger language plpgsql as $$
      begin
        perform pg_notify(${sql.lit(JOBS_CHANNEL)}, new.kind);
        return null;
      end $$`.execute(trx);
    await sql`drop trigger if exists ${sql.id(OLD_TRIGGER)} on jobs`.execute(trx);
    await sql`drop trigger if exists ${sql.id(TRIGGER)} on jobs`.execute(trx);
    await sql`drop function if exists ${sql.id(OLD_FUNCTION)}()`.execute(trx);
    await sql`
      create trigger ${sql.id(TRIGGER)} after insert or update of run_at on jobs
      for each row when (new.locked_by is null) execute function ${sql.id(FUNCTION)}()`.execute(trx);
  });
}

export interface JobNotifierOptions {
  readonly clientConfig: pg.ClientConfig;
  readonly onError: (reason: string) => void;
}

/**
 * Holds one dedicated connection (outside the pool) that LISTENs for job notifications and calls
 * the subscribers. When that connection drops it reconnects with back-off and, once back, calls
 * the subscribers anyway: notifications sent while it was away are lost, a spare wake-up is not.
 */
export class JobNotifier {
  readonly #options: JobNotifierOptions;
  readonly #listeners = new Set<{ readonly kinds: ReadonlySet<string>; readonly call: () => void }>();
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #delay = 100;

  constructor(options: JobNotifierOptions) {
    this.#options = options;
  }

  subscribe(kinds: readonly string[], listener: () => void): () => void {
    const entry = { kinds: new Set(kinds), call: listener };
    this.#listeners.add(entry);
    if (this.#client === undefined && this.#retry === undefined) this.#connect(false);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Calls the listeners of `kind`, or every listener without one (a reconnect; an earlier version's trigger sends none). */
  #notify(kind?: string): void {
    for (const listener of this.#listeners) if (kind === undefined || kind === '' || listener.kinds.has(kind)) listener.call();
  }

  #connect(reconnecting: boolean): void {
    this.#retry = undefined;
    if (this.#closed) return;
    const client = new pg.Client(this.#options.clientConfig);
    this.#client = client;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      this.#options.onError(reasonOf(err));
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.#client === client) this.#client = undefined;
      if (this.#closed) return;
      this.#retry = setTimeout(() => this.#connect(true), this.#delay);
      this.#delay = Math.min(this.#delay * 2, 5000);
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('listen connection closed')));
    client.on('notification', (msg) => this.#notify(msg.payload));
    client
      .connect()
      .then(() => client.query(`listen ${JOBS_CHANNEL}`))
      .then(() => {
        this.#delay = 100;
        if (reconnecting) this.#notify();
      })
      .catch(fail);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#listeners.clear();
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
