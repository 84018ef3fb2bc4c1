import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyShare, parseCpuTimes } from '../../bench/lib/machine.js';
import { fmt, medianRows, row, type Row } from '../../bench/lib/report.js';

const run = (c16: string, c64: string): Row[] => [
  row({ scenario: 'accept', concurrency: '16', rate: c16, extra: 'gateway 0.70 ms CPU/msg' }),
  row({ scenario: 'accept', concurrency: '64', rate: c64 }),
];

test('several runs of a scenario give, per row, the run with the median rate and the spread', () => {
  const rows = medianRows([run('1,599/s', '2,905/s'), run('1,887/s', '2,356/s'), run('1,490/s', '3,362/s')]);
  assert.deepEqual(
    rows.map((r) => [r.concurrency, r.rate, r.extra]),
    [
      ['16', '1,599/s', 'median of 3 runs (1,490/s – 1,887/s); gateway 0.70 ms CPU/msg'],
      ['64', '2,905/s', 'median of 3 runs (2,356/s – 3,362/s)'],
    ],
  );
});

test('an even count takes the lower middle run; a single run is printed as it is; no runs, no rows', () => {
  assert.equal(medianRows([run('300/s', '1/s'), run('100/s', '1/s')])[0]?.rate, '100/s');
  assert.deepEqual(medianRows([run('1,000/s', '2,000/s')]), run('1,000/s', '2,000/s'));
  assert.deepEqual(medianRows([]), []);
});

test('the share of the machine in use is read from two /proc/stat cpu lines', () => {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const before = parseCpuTimes('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n');
  const after = parseCpuTimes('cpu  400 0 150 1200 50 0 0 0 40 0\n');
  assert.deepEqual(before, { idle: 850, total: 1000 });
  // 800 ticks passed, 400 of them idle; guest time is already counted in user.
  assert.equal(busyShare(before, after), 0.5);
  assert.equal(busyShare(after, after), 0);
  assert.throws(() => parseCpuTimes('intr 1 2 3'), /no cpu line/);
});

test('seconds print with one decimal, never as -0.0', () => {
  assert.deepEqual([fmt.s(-0.02), fmt.s(0), fmt.s(2.26), fmt.s(-0.3)], ['0.0', '0.0', '2.3', '-0.3']);
});
