/**
 * Throughput cap of one link, counted in SMS parts (each submit_sm is one part), the unit carriers
 * contract on. A classic token bucket: `rate` tokens per second, at most `burst` saved up, so an
 * idle link may send a short burst and then settles at the rate. Time is injected for tests.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /**
   * @param ratePerSecond 0 = unlimited.
   * @param burst bucket size; default one second's worth (at least 1).
   * @example new TokenBucket(100).take() // 0: send now; later calls return the ms to wait
   */
  constructor(ratePerSecond: number, burst?: number, now: () => number = () => performance.now()) {
    if (!(ratePerSecond >= 0)) throw new RangeError(`rate must be >= 0, got ${ratePerSecond}`);
    this.#rate = ratePerSecond;
    this.#burst = Math.max(1, burst ?? ratePerSecond);
    this.#now = now;
    this.#tokens = this.#burst;
    this.#at = now();
  }

  get unlimited(): boolean {
    return this.#rate === 0;
  }

  /**
   * Takes `n` tokens when available and returns 0; otherwise takes nothing and returns the
   * milliseconds until they will be (always >= 1, so callers can sleep on it).
   */
  take(n = 1): number {
    if (this.#rate === 0) return 0;
    this.#refill();
    if (this.#tokens >= n) {
      this.#tokens -= n;
      return 0;
    }
    return Math.max(1, Math.ceil(((n - this.#tokens) / this.#rate) * 1000));
  }

  /** Tokens available now (for stats and tests). */
  available(): number {
    if (this.#rate === 0) return Infinity;
    this.#refill();
    return this.#tokens;
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
  }
}
