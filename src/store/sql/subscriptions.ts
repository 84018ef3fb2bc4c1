import { criteriaKey, type SubscriptionKind, type SubscriptionRecord, type SubscriptionRepo } from '../repos/subscriptions.js';
import { sql, type Kysely } from 'kysely';
import type { Database, SubscriptionsTable } from '../schema.js';
import { Coalescer } from './coalesce.js';
import { writeForApp } from './app-gone.js';
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

/**
 * SubscriptionRepo.inboundFor in one statement; `db` may be a transaction (a long MO is routed in
 * the one that stores its last part). Each half is one index seek (migration 0090).
 */
export async function inboundSubscriptions(db: Kysely<Database>, shortCode: string, keywords: readonly string[]): Promise<SubscriptionRecord[]> {
  const owned = db
    .selectFrom('subscriptions')
    .selectAll()
    .where('short_code', '=', shortCode)
    .where('app_id', '=', (eb) => eb.selectFrom('short_codes').select('app_id').where('code', '=', shortCode))
    .where('kind', '=', 'inbound')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1);
  const rows = await db
    .selectFrom(owned.where('criteria_key', 'in', keywords).as('keyword'))
    .selectAll()
    .unionAll(db.selectFrom(owned.where('criteria_key', 'is', null).as('every')).selectAll())
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toSubscription);
}

interface InboundLookup {
  readonly shortCode: string;
  readonly keywords: readonly string[];
}

/**
 * PostgreSQL: inboundSubscriptions for a batch of MO in one statement: one row of `k` per
 * keyword form, each a seek for its newest subscription, and one with a null key, a seek for the
 * newest without criteria.
 */
async function inboundSubscriptionsMany(db: Kysely<Database>, lookups: readonly InboundLookup[]): Promise<SubscriptionRecord[][]> {
  const at: number[] = [];
  const codes: string[] = [];
  const keys: (string | null)[] = [];
  lookups.forEach((l, i) => {
    for (const key of [...new Set(l.keywords), null]) {
      at.push(i);
      codes.push(l.shortCode);
      keys.push(key);
    }
  });
  const { rows } = await sql<SubscriptionsTable & { at: number }>`select k.at, s.*
    from unnest(${at}::int[], ${codes}::text[], ${keys}::text[]) as k(at, code, key)
    join short_codes c on c.code = k.code
    cross join lateral (
      (select * from subscriptions where short_code = k.code and app_id = c.app_id and kind = 'inbound' and criteria_key = k.key
        order by created_at desc, id desc limit 1)
      union all
      (select * from subscriptions where short_code = k.code and app_id = c.app_id and kind = 'inbound' and k.key is null and criteria_key is null
        order by created_at desc, id desc limit 1)
    ) as s
    order by s.created_at desc, s.id desc`.execute(db);
  const found = lookups.map((): SubscriptionRecord[] => []);
  for (const row of rows) {
    const list = found[row.at] ?? [];
    // Newest first: of a lookup's keyword matches (one per form), the first is the newest.
    if (!list.some((s) => (s.criteria === null) === (row.criteria === null))) list.push(toSubscription(row));
  }
  return found;
}

export class SqlSubscriptionRepo implements SubscriptionRepo {
  readonly #ctx: SqlContext;

  // PostgreSQL: every MO reads its subscriptions; concurrent reads share a round trip.
  readonly #inbound: Coalescer<InboundLookup, SubscriptionRecord[]> | undefined;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      this.#inbound = new Coalescer({ maxBatch: 100, run: (lookups) => inboundSubscriptionsMany(ctx.db, lookups) });
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
          criteria_key: record.criteria === null ? null : criteriaKey(record.criteria),
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

  inboundFor(shortCode: string, keywords: readonly string[]): Promise<SubscriptionRecord[]> {
    if (this.#inbound !== undefined) return this.#inbound.call({ shortCode, keywords });
    return inboundSubscriptions(this.#ctx.db, shortCode, keywords);
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
