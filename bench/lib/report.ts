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
  s: (n: number) => n.toFixed(1),
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
