import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/network/smpp/token-bucket.js';

test('a full bucket allows a burst, then the rate', () => {
  let now = 0;
  const b = new TokenBucket(10, 10, () => now);
  for (let i = 0; i < 10; i++) assert.equal(b.take(), 0, `burst ${i}`);
  assert.equal(b.take(), 100); // one token per 100 ms
  now += 50;
  assert.equal(b.take(), 50);
  now += 50;
  assert.equal(b.take(), 0);
  assert.equal(b.take(), 100);
});

test('over a long run it averages the rate', () => {
  let now = 0;
  const b = new TokenBucket(50, 1, () => now);
  let sent = 0;
  for (now = 0; now < 10_000; now += 1) if (b.take() === 0) sent++;
  // 10 s at 50/s, plus the first token
  assert.ok(sent >= 500 && sent <= 501, `sent ${sent}`);
});

test('idle time refills only up to the burst', () => {
  let now = 0;
  const b = new TokenBucket(5, 5, () => now);
  for (let i = 0; i < 5; i++) b.take();
  now += 60_000;
  assert.equal(b.available(), 5);
});

test('counts parts: taking n at once needs n tokens', () => {
  const now = 0;
  const b = new TokenBucket(10, 10, () => now);
  assert.equal(b.take(3), 0);
  assert.equal(b.take(8), 100); // 7 left, one more needed
  assert.equal(b.take(7), 0);
});

test('rate 0 is unlimited', () => {
  const b = new TokenBucket(0);
  assert.equal(b.unlimited, true);
  for (let i = 0; i < 10_000; i++) assert.equal(b.take(), 0);
});

test('wait times are at least 1 ms', () => {
  const now = 0;
  const b = new TokenBucket(100_000, 1, () => now);
  b.take();
  assert.equal(b.take(), 1);
});
