import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinParts, partProblem } from '../../src/inbound/reassembly.js';
import { encodeGsm7, encodeUcs2 } from '../../src/sms/encoding.js';
import { segmentText } from '../../src/sms/segment.js';
import type { MoPartRecord } from '../../src/store/repos/inbox.js';

const part = (seq: number, total: number, payload: Buffer, dataCoding: number): MoPartRecord => ({
  source: '+14255550100',
  destination: '22627000',
  reference: 7,
  total,
  seq,
  payload,
  dataCoding,
  receivedAt: seq,
});

test('joinParts puts parts in seq order whatever order they are given in', () => {
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(8);
  const segmented = segmentText(text);
  assert.ok(segmented.segments.length >= 3);
  const parts = segmented.segments.map((s, i) => part(i + 1, segmented.segments.length, s.bytes, segmented.dataCoding)).reverse();
  assert.equal(joinParts(parts), text);
});

test('a UCS-2 surrogate pair split across two parts comes out whole', () => {
  const units = encodeUcs2('ab😀cd');
  // Cut between the high and the low surrogate: a foreign SMSC may split there.
  const first = units.subarray(0, 6);
  const second = units.subarray(6);
  assert.equal(joinParts([part(2, 2, Buffer.from(second), 8), part(1, 2, Buffer.from(first), 8)]), 'ab😀cd');
});

test('a GSM escape split across parts decodes as the extension character', () => {
  const bytes = encodeGsm7('price: 5€');
  const cut = bytes.length - 1; // between ESC (0x1B) and 0x65
  assert.equal(joinParts([part(1, 2, bytes.subarray(0, cut), 0), part(2, 2, bytes.subarray(cut), 0)]), 'price: 5€');
});

test('parts of different codings are decoded one by one', () => {
  assert.equal(joinParts([part(1, 2, encodeGsm7('Hello '), 0), part(2, 2, encodeUcs2('wörld ✓'), 8)]), 'Hello wörld ✓');
});

test('the joined text is made storable: padding at the end dropped, a NUL inside or half a pair split across codings shown as U+FFFD', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');
  assert.equal(joinParts([part(1, 2, latin1('first\0'), 3), part(2, 2, latin1(' second\0\0'), 3)]), 'first\uFFFD second');
  const pair = encodeUcs2('😀');
  assert.equal(joinParts([part(1, 2, Buffer.from(pair.subarray(0, 2)), 8), part(2, 2, latin1('x'), 3)]), '\uFFFDx');
});

test('partProblem refuses parts that cannot belong to a set', () => {
  const ok = { total: 3, seq: 2, reference: 200, dataCoding: 0 };
  assert.equal(partProblem(ok), null);
  assert.equal(partProblem({ ...ok, reference: 65535 }), null);
  assert.match(partProblem({ ...ok, seq: 0 }) ?? '', /seq/);
  assert.match(partProblem({ ...ok, seq: 4 }) ?? '', /seq/);
  assert.match(partProblem({ ...ok, total: 0 }) ?? '', /total/);
  assert.match(partProblem({ ...ok, total: 256 }) ?? '', /total/);
  assert.match(partProblem({ ...ok, reference: 70000 }) ?? '', /reference/);
  assert.match(partProblem({ ...ok, dataCoding: 4 }) ?? '', /data_coding/);
});
