/**
 * `npm run bench [-- options]`: measures Switchboard on loopback and prints one table.
 *   --scenarios ceiling,kannel,accept,e2e-sim,e2e-smpp,inbound,scale,two-pg   (default: all; ceiling
 *                   is the bare route, the bare SMPP relay and, against the sink, the relay with a
 *                   synced journal, see relay-server.ts; kannel is the issue's reference gateway on
 *                   the SMPP path, when Debian's `kannel` package is installed, see lib/kannel.ts)
 *   --store sqlite|postgres|both   (default: both where the scenario supports it)
 *   --duration S    seconds per timed load (default 10)
 *   --count N       messages per end-to-end / inbound batch (default 10000)
 *   --smpp-count N  messages on the HTTP → SMPP → notification path (default 20000)
 *   --smsc simulator|sink|both   the SMSC that path runs against (default both): the simulator SMSC
 *                   (durable, its own store) or the SMSC sink of the issue's reference (smsc-sink.ts)
 *   --stored N      messages seeded for the scale scenario (default 1000000)
 *   --repeat N      run each scenario N times and print the run with the median rate, with the
 *                   spread in its notes (default 1; this machine's speed can swing by ± 20 %)
 *   --no-build      use dist/ as it is (the test runner builds it once for every suite)
 * Every process runs on 127.0.0.1; the gateway runs from dist/ as `npm start` runs it.
 * BENCH_CPU_PROF=DIR: each gateway and SMSC process writes a V8 CPU profile into DIR when it stops.
 * A machine already more than 10 % busy before the first scenario is reported with the figures.
 */
import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { busyBeforeRun } from './lib/machine.js';
import { ROOT } from './lib/processes.js';
import { medianRows, table, type Row } from './lib/report.js';
import type { StoreKind } from './lib/stores.js';
import { endToEndSimulator, endToEndSmpp, inbound, kannelReference, relayCeiling, scale, type SmscKind } from './scenarios/end-to-end.js';
import { accept, ceiling, twoInstances } from './scenarios/http.js';

/** A machine busier than this before the run is reported with the figures. */
const BUSY_WARNING = 0.1;

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'ceiling,kannel,accept,e2e-sim,e2e-smpp,inbound,scale,two-pg' },
    store: { type: 'string', default: 'both' },
    duration: { type: 'string', default: '10' },
    count: { type: 'string', default: '10000' },
    'smpp-count': { type: 'string', default: '20000' },
    smsc: { type: 'string', default: 'both' },
    stored: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '1' },
    'no-build': { type: 'boolean', default: false },
  },
});
const scenarios = new Set(values.scenarios.split(','));
const stores: StoreKind[] = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store as StoreKind];
const duration = Number(values.duration);
const count = Number(values.count);
const repeat = Math.max(1, Math.floor(Number(values.repeat)) || 1);
const smppCount = Number(values['smpp-count']);
const smscChoices: Record<string, SmscKind[]> = { both: ['simulator', 'sink'], simulator: ['simulator'], sink: ['sink'] };
const smscs = smscChoices[values.smsc];
if (smscs === undefined) throw new Error(`--smsc ${values.smsc}: expected simulator, sink or both`);

if (!values['no-build']) {
  process.stdout.write('building dist/ …\n');
  execSync('npm run build --silent', { cwd: ROOT, stdio: 'inherit' });
}

// Read before the first scenario: another process's load would be missing from every figure.
const busy = await busyBeforeRun();
const busyNote =
  busy !== undefined && busy > BUSY_WARNING
    ? `machine busy before the run: ${Math.round(busy * 100)} % of its CPU went to other processes (ps -eo pcpu,args --sort=-pcpu); figures will be low and unsteady`
    : undefined;
if (busyNote !== undefined) process.stdout.write(`warning: ${busyNote}\n`);

const rows: Row[] = [];
const step = async (name: string, fn: () => Promise<Row[]>) => {
  if (!scenarios.has(name)) return;
  const runs: Row[][] = [];
  let failure: string | undefined;
  for (let i = 0; i < repeat; i++) {
    process.stdout.write(`running ${name}${repeat > 1 ? ` (${i + 1} of ${repeat})` : ''} …\n`);
    try {
      runs.push(await fn());
    } catch (err) {
      failure = err instanceof Error ? err.message.slice(0, 200) : String(err);
    }
  }
  rows.push(...medianRows(runs));
  if (failure !== undefined) {
    const note = repeat > 1 ? `${repeat - runs.length} of ${repeat} runs failed: ${failure}` : failure;
    rows.push({ scenario: name, store: '–', concurrency: '–', messages: '–', seconds: '–', rate: 'FAILED', p50: '–', p99: '–', extra: note });
  }
};

await step('ceiling', async () => {
  const rows = await ceiling(duration, [16, 64]);
  for (const smsc of smscs) rows.push(...(await relayCeiling(smppCount, smsc)));
  // The cheapest durable design we know, under the reference's conditions: see relay-server.ts.
  if (smscs.includes('sink')) rows.push(...(await relayCeiling(smppCount, 'sink', true)));
  return rows;
});
await step('kannel', async () => {
  const rows: Row[] = [];
  for (const smsc of smscs) rows.push(...(await kannelReference(smppCount, smsc, 'internal')));
  // Receipts that survive a restart, as the gateway's do (Kannel's default keeps them in memory).
  // A quarter of the batch: each DLR's write and delete is a synced transaction, about 120/s here.
  if (smscs.includes('sink')) rows.push(...(await kannelReference(Math.ceil(smppCount / 4), 'sink', 'sqlite3')));
  return rows;
});
for (const kind of stores) await step('accept', () => accept(kind, duration, [16, 64]));
for (const kind of stores) await step('e2e-sim', () => endToEndSimulator(kind, count));
for (const kind of stores) for (const smsc of smscs) await step('e2e-smpp', () => endToEndSmpp(kind, smppCount, smsc));
for (const kind of stores) await step('inbound', () => inbound(kind, count));
await step('scale', () => scale(Number(values.stored), duration));
if (stores.includes('postgres')) await step('two-pg', () => twoInstances(duration));

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const warning = busyNote === undefined ? '' : `\nwarning: ${busyNote}\n`;
process.stdout.write(`\n${new Date().toISOString()} — ${machine}\n${warning}\n${table(rows)}\n`);
