import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStorable, moText } from '../../src/sms/storable-text.js';

test('isStorable: U+0000 and lone surrogates are not; pairs and every other character are', () => {
  for (const text of ['', 'plain', 'é€✓', '😀 in a pair', '\u0001\u001f\uFFFE', '\uFFFD']) assert.equal(isStorable(text), true, JSON.stringify(text));
  for (const text of ['a\u0000b', '\u0000', '\uD83D', 'x\uDE00', '\uDE00\uD83D', 'end \uD83D']) assert.equal(isStorable(text), false, JSON.stringify(text));
});

test('moText: trailing NULs dropped, other NULs and lone surrogates as U+FFFD, storable text untouched', () => {
  assert.equal(moText('Padded\u0000\u0000'), 'Padded');
  assert.equal(moText('a\u0000b\u0000'), 'a\uFFFDb');
  assert.equal(moText('\uD83D!\uDE00'), '\uFFFD!\uFFFD');
  assert.equal(moText('ok 😀'), 'ok 😀');
  assert.equal(moText('\u0000'), '');
});
