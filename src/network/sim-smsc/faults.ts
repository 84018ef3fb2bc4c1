/**
 * The carrier misbehaviour the simulator SMSC can be told to show (SWITCHBOARD_SIM_SMPP_*), decided
 * per PDU: a throughput limit answered with ESME_RTHROTTLED, a share of submits refused with
 * ESME_RSYSERR, a share accepted but never answered, and the connection cut after every N answered
 * submits (whatever else is in the window then goes unanswered).
 * The random source is injectable so tests can pin the decisions.
 */
import type { Config } from '../../config.js';
import { TokenBucket } from '../smpp/token-bucket.js';

export type SubmitFault = 'cut' | 'throttle' | 'error' | 'drop' | null;

export class Faults {
  readonly #settings: Config['simSmpp'];
  readonly #random: () => number;
  readonly #bucket: TokenBucket;
  #answered = 0;
  readonly counts = { cut: 0, throttle: 0, error: 0, drop: 0 };

  constructor(settings: Config['simSmpp'], random: () => number = Math.random) {
    this.#settings = settings;
    this.#random = random;
    this.#bucket = new TokenBucket(settings.throttlePerSecond);
  }

  /** Called after every submit_sm answered; true when the connection must be cut now. */
  cutNow(): boolean {
    const every = this.#settings.cutEvery;
    if (every === 0) return false;
    this.#answered++;
    if (this.#answered % every !== 0) return false;
    this.counts.cut++;
    return true;
  }

  /** What happens to a submit_sm that arrived on a live connection. */
  forSubmit(): Exclude<SubmitFault, 'cut'> {
    if (this.#bucket.take(1) > 0) {
      this.counts.throttle++;
      return 'throttle';
    }
    if (this.#roll(this.#settings.errorRatePercent)) {
      this.counts.error++;
      return 'error';
    }
    if (this.#roll(this.#settings.dropRatePercent)) {
      this.counts.drop++;
      return 'drop';
    }
    return null;
  }

  /** A final `stat:` word for a message the network delivered, by the configured mix. */
  outcome(): string {
    const mix = this.#settings.receiptOutcomes;
    const total = mix.reduce((sum, o) => sum + o.weight, 0);
    let r = this.#random() * total;
    for (const o of mix) {
      r -= o.weight;
      if (r < 0) return o.stat;
    }
    return mix[mix.length - 1]?.stat ?? 'DELIVRD';
  }

  #roll(percent: number): boolean {
    return percent > 0 && this.#random() * 100 < percent;
  }
}
