import type { SubscriptionKind, SubscriptionRecord, SubscriptionRepo } from '../repos/subscriptions.js';
import { sql } from 'kysely';
import type { SubscriptionsTable } from '../schema.js';
import { lookupAllByKey, type Coalescer } from './coalesce.js';
import { writeForApp } from './app-gone.js';
import type { SqlContext } from './context.js';

/** Most inbound subscriptions read for one short code. */
const INBOUND_LIMIT = 100;

function toSubscription(row: SubscriptionsTable): SubscriptionRecord {
  return {
    id: row.id,
    appId: row.app_id,
    kind: row.kind as SubscriptionKind,
    shortCode: row.short_code,
    notifyUrl: row.notify_url,
    callbackData: row.callback_data,
    criteria: row.criteria,
    format: row.format === 'XML' ? 'XML' : 'JSON',
    clientCorrelator: row.client_correlator,
    apiVersion: row.api_version,
    createdAt: Number(row.created_at),
  };
}

export class SqlSubscriptionRepo implements SubscriptionRepo {
  readonly #ctx: SqlContext;

  // PostgreSQL: every MO reads its short code's subscriptions; concurrent reads share a round trip.
  readonly #inbound: Coalescer<string, SubscriptionsTable[]> | undefined;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      this.#inbound = lookupAllByKey(async (codes) => {
        // Each code's newest INBOUND_LIMIT, as the query for one code reads them.
        const { rows } = await sql<SubscriptionsTable>`select s.* from unnest(${codes}::text[]) as k(code)
          cross join lateral (select * from subscriptions where short_code = k.code and kind = 'inbound'
            order by created_at desc, id desc limit ${sql.lit(INBOUND_LIMIT)}) as s
          order by s.created_at desc, s.id desc`.execute(ctx.db);
        return rows;
      }, (row) => row.short_code);
    }
  }

  create(record: SubscriptionRecord): Promise<{ created: boolean; subscription: SubscriptionRecord }> {
    return writeForApp(record.appId, () => this.#create(record));
  }

  #create(record: SubscriptionRecord): Promise<{ created: boolean; subscription: SubscriptionRecord }> {
    return this.#ctx.write(async (trx) => {
      // The unique (app, kind, correlator) index decides between concurrent creates.
      const res = await trx
        .insertInto('subscriptions')
        .values({
          id: record.id,
          app_id: record.appId,
          kind: record.kind,
          short_code: record.shortCode,
          notify_url: record.notifyUrl,
          callback_data: record.callbackData,
          criteria: record.criteria,
          format: record.format,
          client_correlator: record.clientCorrelator,
          api_version: record.apiVersion,
          created_at: record.createdAt,
        })
        .onConflict((oc) => oc.columns(['app_id', 'kind', 'client_correlator']).doNothing())
        .executeTakeFirst();
      if ((res.numInsertedOrUpdatedRows ?? 0n) > 0n || record.clientCorrelator === null) return { created: true, subscription: record };
      const existing = await trx
        .selectFrom('subscriptions')
        .selectAll()
        .where('app_id', '=', record.appId)
        .where('kind', '=', record.kind)
        .where('client_correlator', '=', record.clientCorrelator)
        .executeTakeFirstOrThrow();
      return { created: false, subscription: toSubscription(existing) };
    });
  }

  async get(id: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.#ctx.db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toSubscription(row);
  }

  delete(appId: string, kind: SubscriptionKind, id: string): Promise<boolean> {
    return this.#ctx.write(async (trx) => {
      const res = await trx.deleteFrom('subscriptions').where('id', '=', id).where('app_id', '=', appId).where('kind', '=', kind).executeTakeFirst();
      return res.numDeletedRows > 0n;
    });
  }

  async inboundFor(shortCode: string): Promise<SubscriptionRecord[]> {
    if (this.#inbound !== undefined) return (await this.#inbound.call(shortCode)).map(toSubscription);
    const rows = await this.#ctx.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('short_code', '=', shortCode)
      .where('kind', '=', 'inbound')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(INBOUND_LIMIT)
      .execute();
    return rows.map(toSubscription);
  }

  async deliveryReceiptFor(appId: string, shortCode: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.#ctx.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('app_id', '=', appId)
      .where('short_code', '=', shortCode)
      .where('kind', '=', 'delivery-receipt')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row === undefined ? undefined : toSubscription(row);
  }
}
