import { sql, type ExpressionBuilder } from 'kysely';
import type { ShortCodeRecord, ShortCodeRepo } from '../repos/short-codes.js';
import type { Database, ShortCodesTable } from '../schema.js';
import { lookupByKey, type Coalescer } from './coalesce.js';
import type { SqlContext } from './context.js';

function toShortCode(row: ShortCodesTable): ShortCodeRecord {
  return {
    code: row.code,
    appId: row.app_id,
    moDelivery: row.mo_delivery,
    listenerUrl: row.listener_url,
    createdAt: Number(row.created_at),
  };
}

/**
 * The short codes of the `apps` row of a query, in code order, as one column of a comma list
 * (codes are digits only, so it is unambiguous; null for none): an app read with its codes in one
 * statement sees them as they were with it. string_agg with ORDER BY runs on PostgreSQL and on
 * SQLite since 3.44 (better-sqlite3 bundles a newer one).
 */
export function appShortCodes(eb: ExpressionBuilder<Database, 'apps'>) {
  return eb
    .selectFrom('short_codes')
    .select(sql<string | null>`string_agg(short_codes.code, ',' order by short_codes.code)`.as('codes'))
    .whereRef('short_codes.app_id', '=', 'apps.id');
}

/** The codes of an appShortCodes column. */
export function shortCodeList(column: string | null): string[] {
  return column === null ? [] : column.split(',');
}

export class SqlShortCodeRepo implements ShortCodeRepo {
  readonly #ctx: SqlContext;

  // PostgreSQL: every MO reads its short code; concurrent reads share a round trip (see coalesce.ts).
  readonly #byCode: Coalescer<string, ShortCodesTable | undefined> | undefined;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      this.#byCode = lookupByKey(
        (codes) =>
          ctx.db
            .selectFrom('short_codes')
            .selectAll()
            .where('code', '=', (eb) => eb.fn.any(eb.val(codes)))
            .execute(),
        (row) => row.code,
      );
    }
  }

  async claim(record: ShortCodeRecord): Promise<boolean> {
    // The primary key decides between concurrent claims; the loser inserts nothing.
    const row = await this.#ctx.db
      .insertInto('short_codes')
      .values({
        code: record.code,
        app_id: record.appId,
        mo_delivery: record.moDelivery,
        listener_url: record.listenerUrl,
        created_at: record.createdAt,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('code')
      .executeTakeFirst();
    return row !== undefined;
  }

  async get(code: string): Promise<ShortCodeRecord | undefined> {
    const row = this.#byCode !== undefined ? await this.#byCode.call(code) : await this.#ctx.db.selectFrom('short_codes').selectAll().where('code', '=', code).executeTakeFirst();
    return row === undefined ? undefined : toShortCode(row);
  }

  async listByApp(appId: string): Promise<ShortCodeRecord[]> {
    const rows = await this.#ctx.db.selectFrom('short_codes').selectAll().where('app_id', '=', appId).orderBy('code').execute();
    return rows.map(toShortCode);
  }

  async list(): Promise<ShortCodeRecord[]> {
    const rows = await this.#ctx.db.selectFrom('short_codes').selectAll().orderBy('code').execute();
    return rows.map(toShortCode);
  }

  async remove(appId: string, code: string): Promise<boolean> {
    const res = await this.#ctx.db.deleteFrom('short_codes').where('code', '=', code).where('app_id', '=', appId).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }
}
