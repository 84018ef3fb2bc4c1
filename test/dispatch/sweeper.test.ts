import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SweepLoop, sweepInBatches } from '../../src/dispatch/sweeper.js';

/** A table of `rows` due rows, deleted `batch` at a time. */
function table(rows: number) {
  let left = rows;
  return {
    sweep: async (batch: number) => {
      const n = Math.min(batch, left);
      left -= n;
      return n;
    },
    left: () => left,
  };
}

test('sweepInBatches deletes until a batch comes back short, or stops at its budget with more left', async () => {
  const small = table(1_234);
  assert.deepEqual(await sweepInBatches(small.sweep, 500), { removed: 1_234, more: false });
  const big = table(10_000_000);
  const swept = await sweepInBatches(async (n) => {
    await new Promise((r) => setTimeout(r, 5));
    return big.sweep(n);
  }, 500, 50);
  assert.equal(swept.more, true);
  assert.ok(swept.removed >= 500 && swept.removed < 10_000_000, String(swept.removed));
});

test('a sweep loop with a backlog runs again at once, not after its interval, until the backlog is gone', async () => {
  const t = table(200_000);
  const ticks: boolean[] = [];
  const loop = new SweepLoop(
    async () => {
      const swept = await sweepInBatches(t.sweep, 500, 0); // one batch per tick: always more until empty
      ticks.push(swept.more);
      return swept.more;
    },
    50,
    (err) => assert.fail(String(err)),
  );
  loop.start();
  const started = Date.now();
  while (t.left() > 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
  await loop.stop();
  assert.equal(t.left(), 0);
  // 400 ticks: at one per 50 ms interval that would have taken 20 s.
  assert.ok(ticks.length >= 400, `${ticks.length} ticks`);
  assert.ok(Date.now() - started < 5000);
});

test('a failing tick is reported and the loop goes on at its interval; stop waits for the tick in flight', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  let inFlight = false;
  const loop = new SweepLoop(
    async () => {
      calls++;
      inFlight = true;
      await new Promise((r) => setTimeout(r, 30));
      inFlight = false;
      if (calls === 1) throw new Error('store down');
      return false;
    },
    10,
    (err) => errors.push(err),
  );
  loop.start();
  while (calls < 3) await new Promise((r) => setTimeout(r, 5));
  await loop.stop();
  assert.equal(inFlight, false);
  assert.equal(errors.length, 1);
  const after = calls;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, after, 'no tick after stop');
});
