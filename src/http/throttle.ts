import type { FastifyRequest } from 'fastify';
import { retryAfterSeconds } from '../auth/failed-attempts.js';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';

const SECOND = 1000;
const DAY = 86_400_000;

function limited(retryAfterMs: number, reason: string): ApiError {
  return new ApiError('POL0001', [reason], { status: 403, headers: { 'retry-after': String(retryAfterSeconds(retryAfterMs)) } });
}

/**
 * Per-app request quotas (the admin API's `ratePerSecond` and `ratePerDay`): fixed one-second and
 * UTC-day windows counted in the store, so every instance on one database shares them. Over quota
 * → 403 POL0001 with `Retry-After` (contract §13: AT&T clients expect 403, not 429). Runs after
 * `apiAuth`, whose token read brought the app's limits; an app without limits costs nothing.
 *
 * @example app.post(path, { onRequest: [apiAuth(ctx), throttle(ctx)] }, handler)
 */
export function throttle(ctx: GatewayContext) {
  return async function checkQuota(request: FastifyRequest): Promise<void> {
    const app = request.apiClient;
    const appId = app.appId;
    const now = ctx.clock.now();
    if (app.ratePerSecond !== null) {
      const start = now - (now % SECOND);
      const count = await ctx.store.rateLimits.hit(appId, 's', start, start + SECOND);
      if (count > app.ratePerSecond) throw limited(start + SECOND - now, 'Rate limit exceeded');
    }
    if (app.ratePerDay !== null) {
      const start = now - (now % DAY);
      const count = await ctx.store.rateLimits.hit(appId, 'd', start, start + DAY);
      if (count > app.ratePerDay) throw limited(start + DAY - now, 'Daily quota exceeded');
    }
  };
}
