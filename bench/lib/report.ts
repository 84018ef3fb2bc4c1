/** One line of the results table. */
export interface Row {
  readonly scenario: string;
  readonly store: string;
  readonly concurrency: string;
  readonly messages: string;
  readonly seconds: string;
  readonly rate: string;
  readonly p50: string;
  readonly p99: string;
  readonly extra: string;
}

export const fmt = {
  rate: (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`,
  ms: (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`,
  // A last notification a few ms before the last 201 read back would print as -0.0.
  s: (n: number) => (Math.abs(n) < 0.05 ? 0 : n).toFixed(1),
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  mb: (n: number) => `${Math.round(n)} MB`,
  /** CPU seconds a process spent, per message: comparable across runs even on a busy machine. */
  cpuPerMsg: (cpuSeconds: number, messages: number) => `${((cpuSeconds * 1000) / Math.max(1, messages)).toFixed(2)} ms CPU/msg`,
};

export function row(partial: Partial<Row> & Pick<Row, 'scenario'>): Row {
  return { store: '–', concurrency: '–', messages: '–', seconds: '–', rate: '–', p50: '–', p99: '–', extra: '', ...partial };
}

export function table(rows: readonly Row[]): string {
  const head = ['scenario', 'store', 'conc.', 'messages', 'seconds', 'rate', 'p50', 'p99', 'notes'];
  const lines = rows.map((r) => [r.scenario, r.store, r.concurrency, r.messages, r.seconds, r.rate, r.p50, r.p99, r.extra]);
  return [head, head.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** A row's rate as a number; NaN for a row without one (a failed scenario). */
function rateOf(r: Row): number {
  return Number(r.rate.replace(/,/g, '').replace(/\/s$/, ''));
}

/**
 * One row per position out of several runs of the same scenario: the run with the median rate
 * (the lower of the two middle ones for an even count), its notes saying how far the runs
 * spread. A busy or unsteady machine moves single runs by tens of per cent.
 */
export function medianRows(runs: ReadonlyArray<readonly Row[]>): Row[] {
  const [first] = runs;
  if (first === undefined) return [];
  if (runs.length === 1) return [...first];
  return first.map((fallback, i) => {
    const rated = runs
      .map((run) => run[i])
      .filter((r): r is Row => r !== undefined && Number.isFinite(rateOf(r)))
      .sort((a, b) => rateOf(a) - rateOf(b));
    const low = rated[0];
    const high = rated[rated.length - 1];
    const median = rated[Math.floor((rated.length - 1) / 2)];
    if (median === undefined || low === undefined || high === undefined) return fallback;
    const spread = `median of ${rated.length} runs (${fmt.rate(rateOf(low))} – ${fmt.rate(rateOf(high))})`;
    return { ...median, extra: median.extra === '' ? spread : `${spread}; ${median.extra}` };
  });
}
