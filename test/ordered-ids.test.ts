import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeOrderedHexSource } from '../src/ordered-ids.js';

const T = Date.UTC(2026, 10, 28, 18);

test('keys sort in the order they were drawn: within a millisecond and as time moves forward', () => {
  const next = timeOrderedHexSource();
  const drawn = [...Array.from({ length: 1000 }, () => next(T)), next(T + 1), next(T + 1), next(T + 3_600_000)];
  for (const key of drawn) assert.match(key, /^[0-9a-f]{16}$/);
  assert.equal(new Set(drawn).size, drawn.length);
  assert.deepEqual([...drawn].sort(), drawn);
});

test('a time before the last one drawn continues the sequence: no repeat, and it stays after the keys of its millisecond drawn earlier', () => {
  const next = timeOrderedHexSource();
  // A handset message's time is taken before its hand-over, a job's before an await: times interleave.
  const first = next(T);
  const late = next(T - 5);
  const second = next(T);
  assert.ok(first < second, 'T drawn again sorts after T drawn first');
  assert.ok(late < first, 'an earlier time sorts by its time');
  const backInTime = Array.from({ length: 50 }, (_, i) => next(T - (i % 3)));
  assert.equal(new Set([first, late, second, ...backInTime]).size, 53, 'never a repeat');
});

test('each source keeps its own sequence: one kind of id drawn with old times does not reorder another', () => {
  const messages = timeOrderedHexSource();
  const handsets = timeOrderedHexSource();
  const a = messages(T);
  handsets(T + 10);
  handsets(T - 10);
  const b = messages(T);
  assert.ok(a < b);
  assert.equal(a.slice(0, 10), b.slice(0, 10), 'the same millisecond');
  assert.equal(Number.parseInt(b.slice(10), 16), Number.parseInt(a.slice(10), 16) + 1, 'the next in its sequence');
});

test('a new millisecond starts its sequence in the lower half, so a millisecond of 8M keys never wraps', () => {
  for (let i = 0; i < 200; i++) {
    const next = timeOrderedHexSource();
    assert.ok(Number.parseInt(next(T + i).slice(10), 16) < 2 ** 23);
  }
});

test('keys drawn since March 2026 sort after the ids of the older forms (decimal epoch milliseconds), which begin with 00', () => {
  const next = timeOrderedHexSource();
  const legacyHandsetMessage = `${String(Date.UTC(2026, 10, 28)).padStart(15, '0')}-000000-0123456789abcdef`;
  const legacyJob = `${Date.UTC(2026, 10, 28).toString(16).padStart(12, '0')}-000000000001-${'0'.repeat(8)}`;
  for (const at of [Date.UTC(2026, 2, 20), T, Date.UTC(2040, 0, 1)]) {
    const key = next(at);
    assert.ok(legacyHandsetMessage < key && legacyJob < key, key);
  }
});
