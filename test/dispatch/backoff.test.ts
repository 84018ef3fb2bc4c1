import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, isExpired, nextRetryAt, nextRunAt } from '../../src/dispatch/backoff.js';

const base = { baseMs: 1000, capMs: 60_000 };
const fixed = (r: number) => () => r;

test('equal jitter: nominal delay doubles per attempt, half of it is guaranteed', () => {
  const low = [1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, { ...base, jitter: fixed(0) }));
  assert.deepEqual(low, [500, 1000, 2000, 4000, 8000, 16_000, 30_000]); // 64 000 capped to 60 000
  assert.equal(backoffDelay(3, { ...base, jitter: fixed(0.5) }), 3000);
  assert.ok(backoffDelay(3, { ...base, jitter: fixed(0.999999) }) < 4000);
  assert.equal(backoffDelay(3, { ...base, mode: 'equal', jitter: fixed(0.5) }), 3000);
});

test('full jitter: anywhere in [0, nominal)', () => {
  assert.equal(backoffDelay(3, { ...base, mode: 'full', jitter: fixed(0) }), 0);
  assert.equal(backoffDelay(3, { ...base, mode: 'full', jitter: fixed(0.5) }), 2000);
  assert.equal(backoffDelay(30, { ...base, mode: 'full', jitter: fixed(0.25) }), 15_000);
});

test('the cap holds for huge attempt numbers; attempts below 1 count as 1', () => {
  for (const attempt of [20, 1000, 5000, Number.MAX_SAFE_INTEGER]) {
    const d = backoffDelay(attempt, { ...base, jitter: fixed(0.5) });
    assert.equal(d, 45_000, String(attempt));
  }
  assert.equal(backoffDelay(0, { ...base, jitter: fixed(0) }), 500);
  assert.equal(backoffDelay(-3, { ...base, jitter: fixed(0) }), 500);
});

test('a random source outside [0, 1) is clamped', () => {
  assert.ok(backoffDelay(2, { ...base, mode: 'full', jitter: fixed(1) }) < 2000);
  assert.equal(backoffDelay(2, { ...base, mode: 'full', jitter: fixed(-1) }), 0);
  assert.equal(backoffDelay(2, { ...base, mode: 'full', jitter: fixed(Number.NaN) }), 0);
});

test('the default random source stays within bounds', () => {
  for (let i = 0; i < 1000; i++) {
    const d = backoffDelay(4, base);
    assert.ok(d >= 4000 && d < 8000, String(d));
  }
});

test('nextRunAt adds the delay to now', () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(nextRunAt(1, now, { ...base, jitter: fixed(0) }), now + 500);
  assert.equal(nextRunAt(3, now, { ...base, jitter: fixed(0.5) }), now + 3000);
});

test('isExpired at the window boundary', () => {
  const first = 1_000_000;
  const window = 72 * 3600_000;
  assert.equal(isExpired(first, first, window), false);
  assert.equal(isExpired(first, first + window - 1, window), false);
  assert.equal(isExpired(first, first + window, window), true);
});

test('nextRetryAt stays inside the window and ends it', () => {
  const first = 0;
  const window = 10_000;
  const opts = { ...base, jitter: fixed(0) };
  assert.equal(nextRetryAt(1, 1000, first, window, opts), 1500);
  assert.equal(nextRetryAt(6, 9000, first, window, opts), 10_000); // 9000 + 16 000 pulled back to the end
  assert.equal(nextRetryAt(7, 10_000, first, window, opts), null);
});

test('a 72-hour schedule ends after a bounded number of attempts', () => {
  const window = 72 * 3600_000;
  const opts = { baseMs: 30_000, capMs: 3600_000, jitter: fixed(0.5) };
  let now = 0;
  let attempt = 1;
  for (;;) {
    const next = nextRetryAt(attempt, now, 0, window, opts);
    if (next === null) break;
    assert.ok(next > now && next <= window);
    now = next;
    attempt++;
  }
  assert.equal(now, window);
  assert.ok(attempt > 70 && attempt < 110, String(attempt)); // ~2.7 per hour once capped
});
