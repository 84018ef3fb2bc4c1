import type { Metric, Registry } from 'prom-client';

/** One label set's share of a histogram: observing is a bucket search and three additions. */
export interface HistogramCell {
  observe(seconds: number): void;
}

interface Cell extends HistogramCell {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: number[];
  count: number;
  sum: number;
}

interface ExportedValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A Prometheus histogram whose label sets are resolved once, into cells kept by their users.
 * prom-client's `Histogram` copies, validates and hashes the labels on every observation (≈ 1 µs
 * each, ≈ 4 % of the main thread on the SMPP path, where the store is timed ≈ 25 times per
 * message); a cell costs ≈ 0.1 µs. The registry formats it like its own histograms, with the same
 * `_bucket` (cumulative, `le`), `_sum` and `_count` series.
 *
 * @example const latency = new CellHistogram({ name: 'x_seconds', help: '…', labelNames: ['repo', 'op'], buckets: [0.001, 0.01], registers: [registry] });
 *          const cell = latency.cell({ repo: 'messages', op: 'accept' });
 *          cell.observe(0.0004);
 */
export class CellHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly L[];
  readonly #bounds: readonly number[];
  readonly #cells = new Map<string, Cell>();

  constructor(options: { name: string; help: string; labelNames: readonly L[]; buckets: readonly number[]; registers: readonly Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    // The registry formats any object with a name, help, type and get() (registry.js); its type
    // declaration names only prom-client's own metric classes.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The cell of one label set, made on first use; the same labels give the same cell. */
  cell(labels: Readonly<Record<L, string>>): HistogramCell {
    const key = this.#labelNames.map((name) => labels[name]).join('\u0000');
    let cell = this.#cells.get(key);
    if (cell === undefined) {
      const bounds = this.#bounds;
      const made: Cell = {
        labels: Object.fromEntries(this.#labelNames.map((name) => [name, labels[name]])),
        counts: bounds.map(() => 0),
        count: 0,
        sum: 0,
        observe(seconds: number): void {
          made.count += 1;
          made.sum += seconds;
          for (let i = 0; i < bounds.length; i++) {
            if (seconds <= (bounds[i] as number)) {
              (made.counts[i] as number) += 1;
              return;
            }
          }
        },
      };
      cell = made;
      this.#cells.set(key, cell);
    }
    return cell;
  }

  /** The series of every cell observed so far, as prom-client's registry reads a metric. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExportedValue[] }> {
    const values: ExportedValue[] = [];
    for (const cell of this.#cells.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += cell.counts[i] as number;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...cell.labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...cell.labels }, value: cell.count });
      values.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
