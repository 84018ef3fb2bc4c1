import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseBenchArgs, SCENARIOS, UsageError } from '../../bench/lib/options.js';
import { ROOT } from '../helpers/root.js';

test('no options: every scenario on both stores and both SMSCs, with the documented defaults', () => {
  const o = parseBenchArgs([]);
  assert.deepEqual([...o.scenarios], [...SCENARIOS]);
  assert.deepEqual(o.stores, ['sqlite', 'postgres']);
  assert.deepEqual(o.smscs, ['simulator', 'sink']);
  assert.deepEqual([o.duration, o.count, o.smppCount, o.stored, o.repeat, o.build, o.help], [10, 10000, 20000, 1000000, 1, true, false]);
});

test('options are read as given', () => {
  const o = parseBenchArgs(['--scenarios', 'accept,e2e-smpp', '--store', 'postgres', '--smsc', 'sink', '--duration', '2.5', '--smpp-count', '300', '--no-build']);
  assert.deepEqual([...o.scenarios], ['accept', 'e2e-smpp']);
  assert.deepEqual(o.stores, ['postgres']);
  assert.deepEqual(o.smscs, ['sink']);
  assert.equal(o.duration, 2.5);
  assert.equal(o.smppCount, 300);
  assert.equal(o.build, false);
});

test('a command line the bench cannot run as asked is refused, naming the option', () => {
  const cases: [string[], RegExp][] = [
    [['--scenarios', 'e2e-smsp'], /--scenarios: e2e-smsp is not a scenario/],
    [['--scenarios', 'accept,'], /an empty name/],
    [['--store', 'sqllite'], /--store sqllite: expected sqlite, postgres or both/],
    [['--smsc', 'kannel'], /--smsc kannel/],
    [['--count', '1e'], /--count 1e: expected a positive whole number/],
    [['--duration', '0'], /--duration 0/],
    [['--repeat', '1.5'], /--repeat 1.5/],
    [['--frob'], /--frob/],
    [['--count'], /--count/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseBenchArgs(args), (err: unknown) => err instanceof UsageError && message.test(err.message), args.join(' '));
});

test('npm run bench: --help prints the options and exits 0; a bad option exits 2 with one line, before anything runs', () => {
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--help'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: npm run bench/);
  assert.match(help.stdout, /--smpp-count N/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--store', 'mysql'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '', 'nothing built or run');
  assert.match(bad.stderr, /^bench: --store mysql: expected sqlite, postgres or both\n/);
  assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/, 'no stack trace');
});
