import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { CellHistogram } from '../../src/metrics/cell-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1];

test('a cell histogram is exported exactly as prom-client exports its own histogram', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const cells = new CellHistogram({ name: 'op_seconds', help: 'Op time.', labelNames: ['repo', 'op'], buckets: BUCKETS, registers: [ours] });
  const reference = new Histogram({ name: 'op_seconds', help: 'Op time.', labelNames: ['repo', 'op'] as const, buckets: BUCKETS, registers: [theirs] });
  const observations: Array<[{ repo: string; op: string }, number]> = [
    [{ repo: 'messages', op: 'accept' }, 0.0004],
    [{ repo: 'messages', op: 'accept' }, 0.001], // on a bound: counted in that bucket
    [{ repo: 'messages', op: 'accept' }, 0.05],
    [{ repo: 'jobs', op: 'claim' }, 2.5], // past every bound: only in +Inf
    [{ repo: 'messages', op: 'accept' }, 0.0099],
    [{ repo: 'jobs', op: 'claim' }, 0.002],
  ];
  for (const [labels, seconds] of observations) {
    cells.cell(labels).observe(seconds);
    reference.observe(labels, seconds);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
});

test('the same labels give the same cell, in any key order', () => {
  const cells = new CellHistogram({ name: 'x_seconds', help: 'X.', labelNames: ['method', 'route'], buckets: BUCKETS, registers: [] });
  const a = cells.cell({ method: 'GET', route: '/a' });
  assert.equal(cells.cell({ route: '/a', method: 'GET' }), a);
  assert.notEqual(cells.cell({ method: 'POST', route: '/a' }), a);
});

test('a registry refuses a second metric of the same name, as for its own metrics', () => {
  const registry = new Registry();
  new Histogram({ name: 'dup_seconds', help: 'D.', buckets: BUCKETS, registers: [registry] });
  assert.throws(() => new CellHistogram({ name: 'dup_seconds', help: 'D.', labelNames: [], buckets: BUCKETS, registers: [registry] }), /already been registered/);
});
