import { sql } from 'kysely';
import type { RateLimitRepo, RatePeriod } from '../repos/rate-limits.js';
import { writeOne, type SqlContext } from './context.js';

export class SqlRateLimitRepo implements RateLimitRepo {
  readonly #ctx: SqlContext;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  async hit(appId: string, period: RatePeriod, periodStart: number, expiresAt: number): Promise<number> {
    // One atomic upsert: concurrent requests (and instances) each see their own count.
    const row = await writeOne(this.#ctx, (db) =>
      db
        .insertInto('rate_counters')
        .values({ app_id: appId, period, period_start: periodStart, count: 1, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['app_id', 'period', 'period_start']).doUpdateSet({ count: sql<number>`rate_counters.count + 1` }))
        .returning('count')
        .executeTakeFirstOrThrow(),
    );
    return Number(row.count);
  }

  async sweep(now: number): Promise<number> {
    const res = await this.#ctx.db.deleteFrom('rate_counters').where('expires_at', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
