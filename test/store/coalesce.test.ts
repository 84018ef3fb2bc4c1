import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coalescer, lookupAllByKey, lookupByKey } from '../../src/store/sql/coalesce.js';

/** A batch runner whose batches finish only when the test lets them. */
function heldRunner<I, O>(answer: (input: I) => O) {
  const batches: I[][] = [];
  const releases: Array<() => void> = [];
  const run = async (inputs: readonly I[]): Promise<O[]> => {
    batches.push([...inputs]);
    await new Promise<void>((resolve) => releases.push(resolve));
    return inputs.map(answer);
  };
  const release = async () => {
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, run, release };
}

test('a lone call runs at once; calls made while a batch is in flight go together in the next one', async () => {
  const r = heldRunner((n: number) => n * 10);
  const c = new Coalescer({ run: r.run, maxBatch: 100 });
  const first = c.call(1);
  assert.deepEqual(r.batches, [[1]], 'the first call did not wait');
  const later = [c.call(2), c.call(3), c.call(4)];
  assert.deepEqual(r.batches, [[1]], 'nothing joins a batch already sent');
  await r.release();
  assert.equal(await first, 10);
  assert.deepEqual(r.batches, [[1], [2, 3, 4]]);
  await r.release();
  assert.deepEqual(await Promise.all(later), [20, 30, 40]);
  // Idle again: the next call goes alone, at once.
  const again = c.call(5);
  assert.deepEqual(r.batches.at(-1), [5]);
  await r.release();
  assert.equal(await again, 50);
});

test('batches hold at most maxBatch inputs', async () => {
  const r = heldRunner((n: number) => n);
  const c = new Coalescer({ run: r.run, maxBatch: 2 });
  const all = [1, 2, 3, 4, 5].map((n) => c.call(n));
  for (let i = 0; i < 4; i++) await r.release();
  assert.deepEqual(await Promise.all(all), [1, 2, 3, 4, 5]);
  assert.deepEqual(r.batches, [[1], [2, 3], [4, 5]]);
});

test('a failed batch fails its calls only; with retryAlone, each input runs again alone and only the bad one fails', async () => {
  const seen: number[][] = [];
  const run = async (inputs: readonly number[]) => {
    seen.push([...inputs]);
    await new Promise((resolve) => setImmediate(resolve));
    if (inputs.includes(13)) throw new Error('unlucky');
    return inputs.map((n) => n + 1);
  };
  const plain = new Coalescer({ run, maxBatch: 10 });
  const first = plain.call(1);
  const batch = [plain.call(2), plain.call(13)];
  assert.equal(await first, 2);
  const settled = await Promise.allSettled(batch);
  assert.deepEqual(
    settled.map((s) => s.status),
    ['rejected', 'rejected'],
  );
  assert.equal(await plain.call(4), 5, 'the next batch runs');

  seen.length = 0;
  const split = new Coalescer({ run, maxBatch: 10, retryAlone: (err) => err instanceof Error && err.message === 'unlucky' });
  const lead = split.call(1);
  const mixed = [split.call(2), split.call(13), split.call(3)];
  assert.equal(await lead, 2);
  const results = await Promise.allSettled(mixed);
  assert.deepEqual(
    results.map((s) => (s.status === 'fulfilled' ? s.value : 'failed')),
    [3, 'failed', 4],
  );
  assert.deepEqual(seen, [[1], [2, 13, 3], [2], [13], [3]]);
});

test('a batch answered with the wrong number of outputs fails its calls', async () => {
  const c = new Coalescer({ run: async (inputs: readonly number[]) => inputs.slice(1), maxBatch: 10 });
  await assert.rejects(c.call(1), /0 outputs for 1 inputs/);
});

/** A fetch over `rows` by their `key` that records the keys of each call and answers a turn later. */
function recordingFetch<R>(rows: readonly R[], key: (row: R) => string) {
  const fetched: string[][] = [];
  const fetch = async (keys: string[]) => {
    fetched.push(keys);
    await new Promise((resolve) => setImmediate(resolve));
    return rows.filter((r) => keys.includes(key(r)));
  };
  return { fetched, fetch };
}

test('lookupByKey answers each caller with its own row, or undefined; repeated keys share it', async () => {
  const byId = (row: { id: string }) => row.id;
  const { fetched, fetch } = recordingFetch(
    [
      { id: 'a', v: 1 },
      { id: 'b', v: 2 },
    ],
    byId,
  );
  const lookup = lookupByKey(fetch, byId);
  const first = lookup.call('a');
  const rest = [lookup.call('b'), lookup.call('nope'), lookup.call('b')];
  assert.deepEqual(await first, { id: 'a', v: 1 });
  assert.deepEqual(await Promise.all(rest), [{ id: 'b', v: 2 }, undefined, { id: 'b', v: 2 }]);
  assert.deepEqual(fetched, [['a'], ['b', 'nope']], 'each key fetched once');
});

test('lookupAllByKey answers each caller with all rows of its key, in the order fetched, each key fetched once', async () => {
  const byCode = (row: { code: string }) => row.code;
  const { fetched, fetch } = recordingFetch(
    [
      { code: 'x', n: 2 },
      { code: 'y', n: 1 },
      { code: 'x', n: 1 },
    ],
    byCode,
  );
  const lookup = lookupAllByKey(fetch, byCode);
  const first = lookup.call('y');
  const rest = [lookup.call('x'), lookup.call('none'), lookup.call('x')];
  assert.deepEqual(await first, [{ code: 'y', n: 1 }]);
  const x = [
    { code: 'x', n: 2 },
    { code: 'x', n: 1 },
  ];
  assert.deepEqual(await Promise.all(rest), [x, [], x]);
  assert.deepEqual(fetched, [['y'], ['x', 'none']]);
});
