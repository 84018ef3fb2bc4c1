import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForProgress } from '../../bench/lib/progress.js';

test('a batch that keeps arriving is waited for past the stall limit; one that stops fails after it', async () => {
  let n = 0;
  const started = Date.now();
  const ticking = setInterval(() => (n += 1), 20);
  try {
    await waitForProgress(() => n, 15, 100, 'ticks', 5);
  } finally {
    clearInterval(ticking);
  }
  assert.ok(Date.now() - started >= 250, 'longer than the stall limit in all');

  const stalledAt = Date.now();
  await assert.rejects(waitForProgress(() => 7, 10, 100, 'notifications', 5), /^Error: notifications: 7 of 10, none more in 0\.1 s$/);
  assert.ok(Date.now() - stalledAt < 1000);
});
