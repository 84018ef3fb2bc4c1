import { parseArgs } from 'node:util';
import type { SmscKind } from '../scenarios/end-to-end.js';
import type { StoreKind } from './stores.js';

export const SCENARIOS = ['ceiling', 'kannel', 'accept', 'e2e-sim', 'e2e-smpp', 'inbound', 'scale', 'two-pg'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const USAGE = `usage: npm run bench [-- options]
  --scenarios LIST  comma-separated, from: ${SCENARIOS.join(',')} (default: all)
                    ceiling: the bare route, the bare SMPP relay and the relay with a synced journal;
                    kannel: the issue's reference gateway, when Debian's kannel package is installed
  --store S         sqlite, postgres or both (default: both where the scenario supports it)
  --duration S      seconds per timed load (default 10)
  --count N         messages per end-to-end / inbound batch (default 10000)
  --smpp-count N    messages on the HTTP → SMPP → notification path (default 20000)
  --smsc K          simulator, sink or both: the SMSC that path runs against (default both)
  --stored N        messages seeded for the scale scenario (default 1000000)
  --repeat N        run each scenario N times, print the median run (default 1)
  --no-build        use dist/ as it is
  --help            this text
BENCH_CPU_PROF=DIR writes a V8 CPU profile of each gateway and SMSC process into DIR.`;

export interface BenchOptions {
  readonly help: boolean;
  readonly scenarios: ReadonlySet<Scenario>;
  readonly stores: readonly StoreKind[];
  readonly smscs: readonly SmscKind[];
  readonly duration: number;
  readonly count: number;
  readonly smppCount: number;
  readonly stored: number;
  readonly repeat: number;
  readonly build: boolean;
}

/** A command line the bench cannot run: one line naming the option, for an exit 2. */
export class UsageError extends Error {}

function positive(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} ${text}: expected a positive ${integer ? 'whole number' : 'number'}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  if (text === 'both') return [...allowed];
  const found = allowed.find((a) => a === text);
  if (found === undefined) throw new UsageError(`--${name} ${text}: expected ${allowed.join(', ')} or both`);
  return [found];
}

/**
 * The bench's command line. A typo must not run a different bench than asked for (an unknown
 * scenario used to run nothing and print an empty table; a non-numeric count ran with NaN).
 */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        scenarios: { type: 'string', default: SCENARIOS.join(',') },
        store: { type: 'string', default: 'both' },
        duration: { type: 'string', default: '10' },
        count: { type: 'string', default: '10000' },
        'smpp-count': { type: 'string', default: '20000' },
        smsc: { type: 'string', default: 'both' },
        stored: { type: 'string', default: '1000000' },
        repeat: { type: 'string', default: '1' },
        'no-build': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    // parseArgs names the option in its message (unknown option, missing value, stray argument).
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const scenarios = new Set<Scenario>();
  for (const name of values.scenarios.split(',').map((s) => s.trim())) {
    const found = SCENARIOS.find((s) => s === name);
    if (found === undefined) throw new UsageError(`--scenarios: ${name === '' ? 'an empty name' : name} is not a scenario (${SCENARIOS.join(', ')})`);
    scenarios.add(found);
  }
  return {
    help: values.help,
    scenarios,
    stores: oneOf('store', values.store, ['sqlite', 'postgres'] as const),
    smscs: oneOf('smsc', values.smsc, ['simulator', 'sink'] as const),
    duration: positive('duration', values.duration, false),
    count: positive('count', values.count, true),
    smppCount: positive('smpp-count', values['smpp-count'], true),
    stored: positive('stored', values.stored, true),
    repeat: positive('repeat', values.repeat, true),
    build: !values['no-build'],
  };
}
