import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcatRefs } from '../../src/sms/concat-ref.js';
import { MESSAGE_ID, newMessageId, recipientLabel } from '../../src/sms/ids.js';
import { shownStatus } from '../../src/sms/status.js';

test('message ids are SMS + 16 lowercase hex digits, and unique', () => {
  const ids = new Set(Array.from({ length: 1000 }, newMessageId));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, MESSAGE_ID);
  assert.equal(recipientLabel(0), 'msg0');
  assert.equal(recipientLabel(12), 'msg12');
});

test('message ids sort by the time they were drawn, also within one millisecond', () => {
  const t = Date.UTC(2026, 10, 25, 12);
  const drawn = [newMessageId(t), newMessageId(t), newMessageId(t), newMessageId(t + 1), newMessageId(t + 1000), newMessageId(t + 86_400_000)];
  for (const id of drawn) assert.match(id, MESSAGE_ID);
  assert.equal(new Set(drawn).size, drawn.length);
  // Within one millisecond the sequence counts up from a random start in its lower half: no wrap.
  const seqs = drawn.slice(0, 3).map((id) => parseInt(id.slice(13), 16));
  assert.ok((seqs[0] ?? Infinity) < 2 ** 23);
  assert.deepEqual([seqs[1], seqs[2]], [(seqs[0] ?? 0) + 1, (seqs[0] ?? 0) + 2]);
  assert.deepEqual([...drawn].sort(), drawn, 'ids sort in the order they were drawn');
  assert.deepEqual(
    drawn.slice(2).map((id) => id.slice(3, 13)),
    [...drawn.slice(2).map((id) => id.slice(3, 13))].sort(),
    'the time digits order ids across milliseconds',
  );
});

test('concatenation references: per destination, consecutive, wrapping at 8 bits', () => {
  const refs = new ConcatRefs();
  const a = refs.next('+14255550100');
  assert.equal(refs.next('+14255550100'), (a + 1) % 256);
  const b = refs.next('+14255550101');
  assert.ok(b >= 0 && b < 256);
  const seen = Array.from({ length: 256 }, () => refs.next('+14255550102'));
  assert.equal(new Set(seen).size, 256, 'all 256 values before one repeats');
  const small = new ConcatRefs({ capacity: 2 });
  small.next('x');
  small.next('y');
  small.next('z');
  const wide = new ConcatRefs({ refBits: 16 });
  assert.ok(wide.next('x') < 65536);
});

test('status words: Pending reads DeliveredToNetwork on AT&T paths and MessageWaiting on OneAPI', () => {
  assert.equal(shownStatus('Pending', 'att'), 'DeliveredToNetwork');
  assert.equal(shownStatus('Pending', 'oneapi'), 'MessageWaiting');
  for (const s of ['DeliveredToNetwork', 'DeliveredToTerminal', 'DeliveryImpossible'] as const) {
    assert.equal(shownStatus(s, 'att'), s);
    assert.equal(shownStatus(s, 'oneapi'), s);
  }
});

test('status words: DeliveryUncertain reads DeliveryImpossible on AT&T paths (its three values only) and as itself on OneAPI', () => {
  assert.equal(shownStatus('DeliveryUncertain', 'att'), 'DeliveryImpossible');
  assert.equal(shownStatus('DeliveryUncertain', 'oneapi'), 'DeliveryUncertain');
});

