import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianRows, row, type Row } from '../../bench/lib/report.js';

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
