import { type Kysely, sql } from 'kysely';
import type { InstanceRecord, InstanceRepo } from '../repos/instances.js';
import type { Database, InstancesTable } from '../schema.js';
import type { SqlContext } from './context.js';

/** The advisory lock that makes joins take turns on PostgreSQL (any constant of our own). */
const JOIN_LOCK = 0x5357_4a4e;

function toRecord(row: InstancesTable): InstanceRecord {
  const settings = row.settings === null ? {} : (JSON.parse(row.settings) as Record<string, string>);
  return { id: row.id, host: row.host, pid: row.pid, network: row.network, smsc: row.smsc, url: row.url, settings, startedAt: row.started_at, seenAt: row.seen_at };
}

function upsert(db: Kysely<Database>, r: InstanceRecord) {
  return db
    .insertInto('instances')
    .values({ id: r.id, host: r.host, pid: r.pid, network: r.network, smsc: r.smsc, url: r.url, settings: JSON.stringify(r.settings), started_at: r.startedAt, seen_at: r.seenAt })
    .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: r.seenAt, url: r.url }))
    .execute();
}

export class SqlInstanceRepo implements InstanceRepo {
  readonly #ctx: SqlContext;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  async join(r: InstanceRecord): Promise<InstanceRecord[]> {
    const dialect = this.#ctx.dialect;
    return this.#ctx.write(async (trx) => {
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${JOIN_LOCK})`.execute(trx);
      await upsert(trx, r);
      const rows = await trx.selectFrom('instances').selectAll().orderBy('seen_at', 'desc').execute();
      return rows.map(toRecord);
    });
  }

  async announce(r: InstanceRecord): Promise<void> {
    await upsert(this.#ctx.db, r);
  }

  async list(): Promise<InstanceRecord[]> {
    const rows = await this.#ctx.db.selectFrom('instances').selectAll().orderBy('seen_at', 'desc').execute();
    return rows.map(toRecord);
  }

  async remove(id: string): Promise<void> {
    await this.#ctx.db.deleteFrom('instances').where('id', '=', id).execute();
  }

  async prune(before: number): Promise<number> {
    const res = await this.#ctx.db.deleteFrom('instances').where('seen_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
