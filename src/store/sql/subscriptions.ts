import type { SubscriptionKind, SubscriptionRecord, SubscriptionRepo } from '../repos/subscriptions.js';
import type { SubscriptionsTable } from '../schema.js';
import type { SqlContext } from './context.js';

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

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  create(record: SubscriptionRecord): Promise<{ created: boolean; subscription: SubscriptionRecord }> {
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
    const rows = await this.#ctx.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('short_code', '=', shortCode)
      .where('kind', '=', 'inbound')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(100)
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
