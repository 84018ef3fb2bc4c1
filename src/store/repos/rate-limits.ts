/** A fixed window of a per-app request quota: 's' one second, 'd' one UTC day. */
export type RatePeriod = 's' | 'd';

/**
 * Request counters per app and window. They live in the store (not in process memory) so every
 * gateway instance sharing the database counts against the same quota.
 */
export interface RateLimitRepo {
  /** Counts one request in the window starting at `periodStart`; returns the window's count including it. */
  hit(appId: string, period: RatePeriod, periodStart: number, expiresAt: number): Promise<number>;
  /**
   * Deletes the windows that ended before `now`; returns how many. At most one row per app and
   * second of traffic since the last sweep, so one statement is enough.
   */
  sweep(now: number): Promise<number>;
}
