/**
 * `npm run bench [-- options]`: measures Switchboard on loopback and prints one table. The options
 * are in lib/options.ts (`npm run bench -- --help`). Every process runs on 127.0.0.1; the gateway
 * runs from dist/ as `npm start` runs it. A machine already more than 10 % busy before the first
 * scenario is reported with the figures.
 */
import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { busyBeforeRun } from './lib/machine.js';
import { parseBenchArgs, UsageError, USAGE, type BenchOptions, type Scenario } from './lib/options.js';
import { ROOT } from './lib/processes.js';
import { medianRows, table, type Row } from './lib/report.js';
import { endToEndSimulator, endToEndSmpp, inbound, kannelReference, relayCeiling, scale } from './scenarios/end-to-end.js';
import { accept, ceiling, twoInstances } from './scenarios/http.js';

/** A machine busier than this before the run is reported with the figures. */
const BUSY_WARNING = 0.1;

let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`bench: ${err.message}\n(npm run bench -- --help lists the options)\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const { scenarios, stores, smscs, duration, count, repeat, smppCount, stored } = options;

if (options.build) {
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
const step = async (name: Scenario, fn: () => Promise<Row[]>) => {
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
await step('scale', () => scale(stored, duration));
if (stores.includes('postgres')) await step('two-pg', () => twoInstances(duration));

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const warning = busyNote === undefined ? '' : `\nwarning: ${busyNote}\n`;
process.stdout.write(`\n${new Date().toISOString()} — ${machine}\n${warning}\n${table(rows)}\n`);
