import { readFileSync } from 'node:fs';

/** The whole machine's CPU time in clock ticks, from the first line of /proc/stat. */
export interface CpuTimes {
  /** idle + iowait */
  readonly idle: number;
  readonly total: number;
}

export function parseCpuTimes(procStat: string): CpuTimes {
  const line = procStat.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) throw new Error('no cpu line in /proc/stat');
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { idle: (ticks[3] ?? 0) + (ticks[4] ?? 0), total: ticks.reduce((a, b) => a + b, 0) };
}

/** Share of the machine's CPU (0–1) used between two readings. */
export function busyShare(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  return total <= 0 ? 0 : 1 - (after.idle - before.idle) / total;
}

/**
 * How busy the machine is over `ms` while nothing of the bench runs yet: what other processes
 * take is missing from every figure of the run. Undefined where /proc/stat cannot be read.
 */
export async function busyBeforeRun(ms = 1000): Promise<number | undefined> {
  const read = () => parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  try {
    const before = read();
    await new Promise((resolve) => setTimeout(resolve, ms));
    return busyShare(before, read());
  } catch {
    return undefined;
  }
}
