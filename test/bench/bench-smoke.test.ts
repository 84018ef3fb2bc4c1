import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { findKannel } from '../../bench/lib/kannel.js';
import { ROOT } from '../helpers/root.js';


/** Runs `npm run bench` with `args`; asserts it exits 0 and answers the table's lines. */
async function runBench(args: readonly string[], env: Record<string, string> = {}): Promise<{ lines: string[]; out: string }> {
  // The test runner builds dist/ once for all suites (scripts/run-tests.mjs); run alone, the bench builds it.
  const build = process.env.SWITCHBOARD_TEST_DIST === 'fresh' ? ['--no-build'] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args, ...build], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out);
  return { lines: out.split('\n'), out };
}

test('the ceiling scenario prints the bare route, the bare SMPP relay over the simulator SMSC and the SMSC sink, and the journaled relay over the sink', { timeout: 180_000 }, async () => {
  const { lines, out } = await runBench(['--scenarios', 'ceiling', '--duration', '1', '--smpp-count', '200']);
  assert.equal(lines.filter((line) => line.startsWith('| ceiling: bare fastify route |')).length, 2, out);
  for (const smsc of ['simulator SMSC', 'SMSC sink']) {
    const relay = lines.filter((line) => line.startsWith('| ceiling: bare SMPP relay') && line.includes(`notification, ${smsc} |`));
    assert.equal(relay.length, 1, out);
    assert.match(relay[0] ?? '', /\| 200 \| [\d.]+ \| [\d,]+\/s \|/, 'every message notified, with a rate');
    assert.match(relay[0] ?? '', /relay \d+\.\d\d ms CPU\/msg, SMSC \d+\.\d\d ms CPU\/msg/);
  }
  const journaled = lines.filter((line) => line.startsWith('| ceiling: SMPP relay, every step in one synced journal') && line.includes('notification, SMSC sink |'));
  assert.equal(journaled.length, 1, out);
  assert.match(journaled[0] ?? '', /\| 200 \| [\d.]+ \| [\d,]+\/s \|/, 'every message notified, with a rate');
});

test('the gateway carries the SMPP path against the SMSC sink, every message notified', { timeout: 180_000 }, async () => {
  const { lines, out } = await runBench(['--scenarios', 'e2e-smpp', '--store', 'sqlite', '--smsc', 'sink', '--smpp-count', '300']);
  const rows = lines.filter((line) => line.startsWith('| end to end, SMPP: HTTP → submit_sm → DLR → notification, SMSC sink | sqlite |'));
  assert.equal(rows.length, 1, out);
  assert.match(rows[0] ?? '', /\| 300 \| [\d.]+ \| [\d,]+\/s \|/, 'every message notified, with a rate');
  assert.match(rows[0] ?? '', /gateway \d+\.\d\d ms CPU\/msg, SMSC \d+\.\d\d ms CPU\/msg/);
});

test('the kannel scenario runs the reference gateway on the SMPP path, every message notified, or says how to install it', { timeout: 180_000 }, async () => {
  const { lines, out } = await runBench(['--scenarios', 'kannel', '--smsc', 'sink', '--smpp-count', '200']);
  const rows = lines.filter((line) => line.startsWith('| reference: Kannel 1.4.5'));
  assert.equal(rows.length, 2, out);
  if (findKannel() === undefined) {
    for (const row of rows) assert.match(row, /\| skipped \|.*apt-get install kannel/);
    return;
  }
  const [memory, sqlite3] = rows;
  assert.match(memory ?? '', /DLRs in memory .*SMSC sink \| – \| 16 \| 200 \| [\d.]+ \| [\d,]+\/s \|/, 'every message notified, with a rate');
  assert.match(sqlite3 ?? '', /DLRs in SQLite.*SMSC sink \| – \| 16 \| 50 \| [\d.]+ \| [\d,]+\/s \|/, 'a quarter of the batch, every message notified');
  for (const row of rows) assert.match(row, /Kannel \d+\.\d\d ms CPU\/msg \(bearerbox and smsbox\), SMSC \d+\.\d\d ms CPU\/msg; RSS bearerbox \d+ MB, smsbox \d+ MB/);
});

/**
 * `npm run bench` keeps working: one short scenario end to end (build, gateway from dist/, load,
 * table). The figures themselves are not judged here — speed is measured, not asserted. Without a
 * reachable PostgreSQL, its rows fail with what to do and the SQLite rows still run (one bench run
 * shows both: each costs a gateway start and a build check).
 */
test('the bench runs a scenario and prints its rows with a rate and CPU per message; without a reachable PostgreSQL its rows fail with what to do', { timeout: 180_000 }, async () => {
  const { lines, out } = await runBench(['--scenarios', 'accept', '--duration', '1'], { SWITCHBOARD_TEST_DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/nowhere' });
  const rows = lines.filter((line) => line.startsWith('| Send SMS accept (v3 JSON) | sqlite |'));
  assert.equal(rows.length, 2, out);
  for (const row of rows) {
    assert.match(row, /\| [\d,]+\/s \|/, 'a rate');
    assert.match(row, /gateway \d+\.\d\d ms CPU\/msg/);
    assert.doesNotMatch(row, /FAILED|non-2xx/);
  }
  const failed = lines.filter((line) => line.includes('| FAILED |'));
  assert.equal(failed.length, 1, out);
  assert.match(failed[0] ?? '', /no PostgreSQL for the bench at nobody@127\.0\.0\.1:1\/nowhere .*SWITCHBOARD_TEST_DATABASE_URL.*--store sqlite/);
  assert.doesNotMatch(out, /secret/, 'the password is not printed');
});
