import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combine } from '../../../src/network/smpp/receipts.js';
import type { SmppPartState } from '../../../src/store/repos/smpp.js';

const parts = (...states: SmppPartState[]) => states.map((state, i) => ({ part: i + 1, state, errorCode: state === 'undeliverable' ? '034' : null }));

test('delivered only when every part is', () => {
  assert.deepEqual(combine(3, parts('delivered', 'delivered', 'delivered')), { state: 'delivered', errorCode: null });
  assert.equal(combine(3, parts('delivered', 'submitted', 'delivered')), null);
  assert.equal(combine(3, parts('delivered', 'enroute', 'delivered')), null);
  assert.equal(combine(3, parts('delivered', 'delivered')), null, 'part 3 not even accepted yet');
});

test('impossible as soon as one part fails for good, whatever the others say', () => {
  assert.deepEqual(combine(3, parts('submitted', 'undeliverable', 'submitted')), { state: 'undeliverable', errorCode: '034' });
  assert.deepEqual(combine(3, parts('delivered', 'delivered', 'expired')), { state: 'expired', errorCode: null });
  assert.deepEqual(combine(2, parts('rejected')), { state: 'rejected', errorCode: null });
});

test('a single part', () => {
  assert.deepEqual(combine(1, parts('delivered')), { state: 'delivered', errorCode: null });
  assert.equal(combine(1, parts('submitted')), null);
});
