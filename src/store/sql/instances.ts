import type { InstanceRecord, InstanceRepo } from '../repos/instances.js';
import type { SqlContext } from './context.js';

export class SqlInstanceRepo implements InstanceRepo {
  readonly #ctx: SqlContext;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  async announce(r: InstanceRecord): Promise<void> {
    await this.#ctx.db
      .insertInto('instances')
      .values({ id: r.id, host: r.host, pid: r.pid, network: r.network, smsc: r.smsc, url: r.url, started_at: r.startedAt, seen_at: r.seenAt })
      .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: r.seenAt }))
      .execute();
  }

  async list(): Promise<InstanceRecord[]> {
    const rows = await this.#ctx.db.selectFrom('instances').selectAll().orderBy('seen_at', 'desc').execute();
    return rows.map((row) => ({ id: row.id, host: row.host, pid: row.pid, network: row.network, smsc: row.smsc, url: row.url, startedAt: row.started_at, seenAt: row.seen_at }));
  }

  async remove(id: string): Promise<void> {
    await this.#ctx.db.deleteFrom('instances').where('id', '=', id).execute();
  }

  async prune(before: number): Promise<number> {
    const res = await this.#ctx.db.deleteFrom('instances').where('seen_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
