/**
 * Retry schedule for network submits and webhooks: capped exponential back-off with jitter, inside a
 * retry window (72 h by default, contract §13). Pure: time comes in as epoch milliseconds and the
 * random source is injectable, so tests need neither a clock nor luck.
 */

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound of the un-jittered delay. */
  capMs: number;
  /**
   * 'full': uniform in [0, d) — spreads a thundering herd best, but may retry at once.
   * 'equal' (default): d/2 + uniform in [0, d/2) — never less than half the nominal delay.
   */
  mode?: 'full' | 'equal';
  /** Random source in [0, 1); default Math.random. */
  jitter?: () => number;
}

/**
 * Delay after `attempt` failed attempts (1 = the first try just failed): min(cap, base · 2^(attempt−1)),
 * then jittered. An attempt below 1 counts as 1.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const n = Math.max(1, Math.floor(attempt));
  // Clamp the exponent so 2^(n-1) stays finite; the cap takes over long before that anyway.
  const nominal = Math.min(options.capMs, options.baseMs * 2 ** Math.min(n - 1, 1000));
  const raw = (options.jitter ?? Math.random)();
  const r = Number.isFinite(raw) ? Math.min(Math.max(raw, 0), 1 - Number.EPSILON) : 0;
  const delay = (options.mode ?? 'equal') === 'full' ? nominal * r : nominal / 2 + (nominal / 2) * r;
  return Math.floor(delay);
}

/**
 * When to run attempt `attempt + 1`, as epoch ms.
 *
 * @example nextRunAt(3, now, { baseMs: 1000, capMs: 3_600_000, jitter: () => 0.5 }) // now + 3000
 *          (nominal 4000; equal jitter: 2000 + 0.5 × 2000)
 */
export function nextRunAt(attempt: number, now: number, options: BackoffOptions): number {
  return now + backoffDelay(attempt, options);
}

/** True once the retry window that opened at `firstAttemptAt` has passed (both epoch ms). */
export function isExpired(firstAttemptAt: number, now: number, windowMs: number): boolean {
  return now - firstAttemptAt >= windowMs;
}

/**
 * The next run within the retry window, or null when the window is over and the job should be
 * given up (DeliveryImpossible / dead letter). A run that would fall after the window is pulled
 * back to the window's end, so the last chance is taken rather than skipped.
 */
export function nextRetryAt(
  attempt: number,
  now: number,
  firstAttemptAt: number,
  windowMs: number,
  options: BackoffOptions,
): number | null {
  if (isExpired(firstAttemptAt, now, windowMs)) return null;
  return Math.min(nextRunAt(attempt, now, options), firstAttemptAt + windowMs);
}
