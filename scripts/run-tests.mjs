#!/usr/bin/env node
// Node 20's test runner neither discovers .ts files nor expands globs, so the file list is built
// here. A run that finds no test file fails: an empty suite must never look green.
//
// Every integration suite (a file that starts gateways through test/helpers/gateway.ts, directly
// or through test/smpp/world.ts's smppGateway, or that has a branch of its own for PostgreSQL;
// outside test/scale/ and test/store/) runs on both stores: once on SQLite, once on PostgreSQL (SWITCHBOARD_TEST_STORE=postgres, one fresh
// database per test gateway). Every other file runs once. The files of both passes share one
// queue (see below). SWITCHBOARD_TEST_STORE=sqlite|postgres limits the
// integration suites to one store. Without a reachable PostgreSQL the PostgreSQL pass is skipped
// with a line saying so, unless CI=true: then it is an error.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, ENTRIES } from './build.mjs';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const DEFAULT_DATABASE_URL = 'postgres://switchboard:switchboard@127.0.0.1:5432/switchboard_test';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = walk(join(root, 'test'))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found' + (filters.length ? ` for ${filters.join(' ')}` : ''));
  process.exit(1);
}

// A file that only skips itself off SQLite (`TEST_STORE === 'sqlite'`) is not one: it runs once.
const usesGateway = (file) => /\b(?:startTestGateway|smppGateway)\b|\bTEST_STORE === 'postgres'/.test(readFileSync(join(root, file), 'utf8'));
// test/scale/ and test/store/ pick their own stores (several instances on one PostgreSQL database,
// an engine's own behaviour): once is enough.
const choosesStore = (file) => file.startsWith('test/scale/') || file.startsWith('test/store/');
const integration = files.filter((f) => !choosesStore(f) && usesGateway(f));
const once = files.filter((f) => !integration.includes(f));
// Of those, the ones that never read (SWITCHBOARD_)TEST_STORE behave the same in either pass: they
// run in the PostgreSQL pass when there is one, so the two passes are about as long as each other
// (the SQLite pass also carries every unit and CLI file, and was the longer by a third).
const readsStore = (file) => /TEST_STORE/.test(readFileSync(join(root, file), 'utf8'));
const onceAnywhere = once.filter((f) => choosesStore(f) && !readsStore(f));

// The queue starts its files in this order: the files measured to take longest go first, so none
// of them starts near the end and runs on alone (2026-11-28, a 2-core machine; a file missing from
// the list only starts in alphabetical order, it still runs; the run prints its longest files).
const LONGEST_FIRST = [
  'test/cli/cli.test.ts',
  'test/store/postgres-store.test.ts',
  'test/bench/bench-smoke.test.ts',
  'test/scale/two-instances.test.ts',
  'test/cli/serve.test.ts',
  'test/console/console.test.ts',
  'test/http/auth-failures.test.ts',
  'test/cli/sms-handset.test.ts',
  'test/smpp/faults.test.ts',
  'test/http/auth-races.test.ts',
  'test/store/postgres-outage.test.ts',
  'test/scale/instances.test.ts',
  'test/http/notify-mo.test.ts',
  'test/http/oauth.test.ts',
  'test/smpp/id-forms.test.ts',
  'test/cli/backup.test.ts',
  'test/webhooks/kept-ahead-lease.test.ts',
  'test/http/api-basic-auth.test.ts',
  'test/config/config.test.ts',
  'test/http/inbox.test.ts',
  'test/http/send-replay-window.test.ts',
  'test/dispatch/outbound-backlog.test.ts',
  'test/smpp/lease-queue.test.ts',
  'test/http/client-error.test.ts',
  'test/console/session.test.ts',
  'test/cli/migrate.test.ts',
];
const rank = (file) => {
  const i = LONGEST_FIRST.indexOf(file);
  return i < 0 ? LONGEST_FIRST.length : i;
};

async function postgresAnswers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    const inner = err instanceof AggregateError && err.errors.length > 0 ? err.errors[0] : err;
    return inner instanceof Error && inner.message !== '' ? inner.message : String(inner?.code ?? inner);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const databaseUrl = process.env.SWITCHBOARD_TEST_DATABASE_URL || DEFAULT_DATABASE_URL;
const only = process.env.SWITCHBOARD_TEST_STORE;
const wantPostgres = only !== 'sqlite';
const wantSqlite = only !== 'postgres';

let postgresDown;
if (wantPostgres) {
  postgresDown = await postgresAnswers(databaseUrl);
  const where = (() => {
    const u = new URL(databaseUrl);
    return `${u.host}${u.pathname}`;
  })();
  if (postgresDown !== undefined) {
    if (process.env.CI === 'true' || only === 'postgres') {
      console.error(`run-tests: PostgreSQL at ${where} does not answer (${postgresDown}); the PostgreSQL pass cannot run.`);
      process.exit(1);
    }
    console.log(`run-tests: PostgreSQL at ${where} does not answer (${postgresDown}): SKIPPING the PostgreSQL pass.`);
    console.log('run-tests: set SWITCHBOARD_TEST_DATABASE_URL to a server where the role may CREATE DATABASE (see .ci/run).');
  }
}

// Every database this run creates starts with this prefix, so the leftovers of a file killed by
// its timeout can be dropped at the end without touching anyone else's run on the same server.
const dbPrefix = `sbt_${randomBytes(3).toString('hex')}_`;
const baseEnv = { ...process.env, SWITCHBOARD_TEST_DATABASE_URL: databaseUrl, SWITCHBOARD_TEST_DB_PREFIX: dbPrefix };

// Suites that run the built gateway or CLI as a user would (bin/switchboard.js, npm run bench) get
// one build made here, before anything runs, and are told it is fresh: each CLI call then starts
// from dist/ (a third of the CPU of the source through tsx), and nothing rebuilds dist/ under
// another suite. Run alone, those suites use the source instead.
if (files.some((f) => f.startsWith('test/cli/') || f.startsWith('test/bench/'))) {
  console.log('run-tests: building dist/');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('run-tests: npm run build failed');
    process.exit(1);
  }
  baseEnv.SWITCHBOARD_TEST_DIST = 'fresh';
}

// The test processes run a copy of the suites bundled with esbuild into .test-build/, as
// `npm run build` bundles the gateway (scripts/build.mjs): each test file an entry, and the
// gateway's entries that tests start as processes and threads of their own; the code they share
// in .test-build/chunks/. Not the sources through tsx's loader (a second of CPU more per test
// process), nor a copy file by file: Node 20 loads an ES module graph one file at a time
// (importing the gateway: 0.78 s of CPU file by file, 0.38 s bundled; a test file that starts
// gateways, about 0.3 s less in all).
// The layout of the entries is the repository's; package.json and the files the code reads are
// linked in, and test/helpers/root.ts finds the repository from there. Stack traces point at
// the sources. The tests' own tools (the browser driver, the load generator, …) stay outside.
const BUILD = '.test-build';
console.log(`run-tests: bundling the suites into ${BUILD}/`);
rmSync(join(root, BUILD), { recursive: true, force: true });
const devDependencies = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies);
await build({
  ...BUNDLE_OPTIONS,
  absWorkingDir: root,
  entryPoints: [...ENTRIES.map((entry) => `src/${entry}.ts`), ...files],
  outdir: join(root, BUILD),
  outbase: root,
  external: [...BUNDLE_OPTIONS.external, ...devDependencies],
});
for (const path of ['package.json', 'src/console/assets', 'test/fixtures', 'test/smpp/fixtures']) {
  mkdirSync(dirname(join(root, BUILD, path)), { recursive: true });
  symlinkSync(relative(dirname(join(root, BUILD, path)), join(root, path)), join(root, BUILD, path));
}
const built = (file) => join(BUILD, file.replace(/\.ts$/, '.js'));

async function dropLeftovers() {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query('select datname from pg_database where datname like $1', [`${dbPrefix}%`]);
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
    if (rows.length > 0) console.log(`run-tests: dropped ${rows.length} test database(s) left behind`);
  } catch {
    // Nothing to clean when the server is not there.
  } finally {
    await client.end().catch(() => undefined);
  }
}
const passes = [];
const postgresPass = wantPostgres && postgresDown === undefined && integration.length > 0;
const moved = postgresPass ? onceAnywhere : [];
const sqliteFiles = [...once.filter((f) => !moved.includes(f)), ...(wantSqlite ? integration : [])];
if (sqliteFiles.length > 0) passes.push({ name: 'sqlite', files: sqliteFiles, env: { ...baseEnv, SWITCHBOARD_TEST_STORE: 'sqlite' } });
if (postgresPass) passes.push({ name: 'postgres', files: [...integration, ...moved], env: { ...baseEnv, SWITCHBOARD_TEST_STORE: 'postgres' } });
if (passes.length === 0) {
  console.error('run-tests: nothing to run for these filters and stores');
  process.exit(1);
}

// One queue for both passes, longest first, so neither pass idles at its end while the other
// runs on. Each file runs in a process of its own (node runs a test file's tests itself), and its
// output is printed whole when it ends, not interleaved with the others'. Most of a suite's time is
// spent waiting (timers, the network, the other processes of a test), but six at a time on 2 cores
// drove the load to 40 at the start, where the heaviest files run, and timing-bound tests failed:
// the default is two per core. SWITCHBOARD_TEST_CONCURRENCY sets it.
const cores = availableParallelism();
const concurrency = Number(process.env.SWITCHBOARD_TEST_CONCURRENCY) || Math.max(2, 2 * cores);
const queue = passes
  .flatMap((pass) => pass.files.map((file) => ({ pass, file })))
  .sort((a, b) => rank(a.file) - rank(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || (a.pass.name < b.pass.name ? -1 : 1));

// The runner's own totals ("# pass 12" from TAP), summed over the files for the closing
// "tests: N passed, N failed" line that CI reads.
const totals = { pass: 0, fail: 0, skipped: 0 };
function count(line) {
  const m = /^# (pass|fail|skipped) (\d+)$/.exec(line.trim());
  if (m) totals[m[1]] += Number(m[2]);
}

// The names of failed tests, repeated at the very end, where the tail that CI keeps shows them.
const failed = [];

/** A test file's limit: a test times out after 300 s, and no file has near as many long ones. */
const FILE_TIMEOUT_MS = 15 * 60_000;

/** The process groups of the files running: a stopped run (Ctrl-C) takes them with it. */
const groups = new Set();
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const pid of groups) killGroup(pid);
    process.exit(130);
  });
}

/** Runs one test file; prints its output when it ends. */
function run({ pass, file }) {
  return new Promise((resolve) => {
    const began = Date.now();
    const args = ['--enable-source-maps', '--test-reporter=tap', '--test-timeout=300000', built(file)];
    // SWITCHBOARD_TEST_CPU=1: each file's CPU seconds, with its child processes', by /usr/bin/time.
    const cpuFile = measureCpu ? join(tmpdir(), `run-tests-cpu-${process.pid}-${launched++}`) : undefined;
    // A process group of its own, so a file that outlives FILE_TIMEOUT_MS goes with every process
    // it started (a test that timed out leaves its children running, and they the file).
    const options = { cwd: root, env: pass.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true };
    const child =
      cpuFile === undefined
        ? spawn(process.execPath, args, options)
        : spawn('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args], options);
    groups.add(child.pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, FILE_TIMEOUT_MS);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      groups.delete(child.pid);
      const seconds = (Date.now() - began) / 1000;
      if (timedOut) out += `\nrun-tests: killed after ${FILE_TIMEOUT_MS / 1000} s, with every process it started\n`;
      const failures = [];
      for (const line of out.split('\n')) {
        count(line);
        const name = /^\s*not ok \d+ - (.+)$/.exec(line)?.[1];
        if (name !== undefined) failures.push(name);
      }
      const ok = code === 0 && failures.length === 0;
      // A file that dies outside any test (an import that throws, a crash) names no test.
      if (!ok && (failures.length === 0 || timedOut)) {
        failures.push(timedOut ? `${file} still running after ${FILE_TIMEOUT_MS / 1000} s: killed` : `${file} exited with ${signal ?? `code ${code}`}`);
        totals.fail += 1;
      }
      failed.push(...failures.map((name) => `[${pass.name}] ${file}: ${name}`));
      let cpu;
      if (cpuFile !== undefined) {
        const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
        cpu = user + system;
        rmSync(cpuFile, { force: true });
      }
      const took = `${seconds.toFixed(1)} s${cpu === undefined ? '' : `, ${cpu.toFixed(1)} s CPU`}`;
      process.stdout.write(`# ${ok ? 'ok' : 'FAILED'} [${pass.name}] ${file} (${took})\n${out.endsWith('\n') || out === '' ? out : `${out}\n`}`);
      resolve({ pass, file, ok, seconds, cpu });
    });
  });
}

const measureCpu = process.env.SWITCHBOARD_TEST_CPU === '1';
let launched = 0;
console.log(`run-tests: ${queue.length} test files (${passes.map((p) => `${p.name} ${p.files.length}`).join(', ')}), ${concurrency} at a time`);
const started = Date.now();
const results = [];
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    while (next < queue.length) results.push(await run(queue[next++]));
  }),
);
if (postgresDown === undefined) await dropLeftovers();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log('run-tests: the longest files:');
for (const r of [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 12)) console.log(`  ${r.seconds.toFixed(1).padStart(6)} s  [${r.pass.name}] ${r.file}`);
if (measureCpu) {
  const total = results.reduce((sum, r) => sum + r.cpu, 0);
  console.log(`run-tests: CPU of the test processes and their children, ${total.toFixed(0)} s in all; the most:`);
  for (const r of [...results].sort((a, b) => b.cpu - a.cpu).slice(0, 25)) console.log(`  ${r.cpu.toFixed(1).padStart(6)} s  [${r.pass.name}] ${r.file}`);
}
if (failed.length > 0) {
  console.log('run-tests: failed:');
  for (const name of new Set(failed)) console.log(`  ${name}`);
}
for (const pass of passes) {
  const mine = results.filter((r) => r.pass === pass);
  const bad = mine.filter((r) => !r.ok).length;
  console.log(`run-tests: ${pass.name} pass: ${pass.files.length} files, ${bad === 0 ? 'passed' : `FAILED (${bad} files)`}`);
}
if (wantPostgres && postgresDown !== undefined) console.log('run-tests: the PostgreSQL pass was SKIPPED (no server).');
console.log(`run-tests: ${seconds} s`);
console.log(`tests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
