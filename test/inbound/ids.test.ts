import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newMoId } from '../../src/inbound/ids.js';

test('MO ids of one millisecond sort in the order the MOs came (an inbox hands them out in id order within a millisecond)', () => {
  // They were random: two MOs an SMSC delivered in the same millisecond could be polled swapped.
  const t = Date.UTC(2026, 10, 28, 16);
  const drawn = [...Array.from({ length: 10 }, () => newMoId(t)), newMoId(t + 1), newMoId(t + 60_000)];
  for (const id of drawn) assert.match(id, /^MO[0-9a-f]{24}$/);
  assert.equal(new Set(drawn).size, drawn.length);
  assert.deepEqual([...drawn].sort(), drawn);
});
