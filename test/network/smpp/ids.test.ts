import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMatcher, idKeys, normaliseId, relationOf } from '../../../src/network/smpp/ids.js';

test('normaliseId: case, spaces, leading zeros', () => {
  assert.equal(normaliseId(' 00B8BE19 '), 'b8be19');
  assert.equal(normaliseId('0000'), '0');
  assert.equal(normaliseId('0654354026'), '654354026');
  assert.equal(normaliseId('4A38DC46-5125'), '4a38dc46-5125');
});

test('idKeys: hex spelled, decimal spelled, both, neither', () => {
  assert.deepEqual(idKeys('00B8BE19'), { key: 'b8be19', dec: '12107289', hex: null });
  assert.deepEqual(idKeys('870928761'), { key: '870928761', dec: String(0x870928761), hex: '33e95179' });
  assert.deepEqual(idKeys('4a38dc46-5125-4969'), { key: '4a38dc46-5125-4969', dec: null, hex: null });
  assert.deepEqual(idKeys('0'), { key: '0', dec: null, hex: null });
});

test('relations seen in the wild', () => {
  // jookies/jasmin #1129: submit_sm_resp 00B8BE19, receipt in another case/padding
  assert.equal(relationOf('b8be19', idKeys('00B8BE19')), 'same');
  assert.equal(relationOf('00000000B8BE19', idKeys('00B8BE19')), 'same');
  // opentelecoms-org/jsmpp #56: message id 33E95179 (hex), receipt id 870928761 (its decimal)
  assert.equal(relationOf('870928761', idKeys('33E95179')), 'hex→dec');
  // the reverse: decimal submit id, receipt in hex
  assert.equal(relationOf('33E95179', idKeys('870928761')), 'dec→hex');
  // smscsim #4: padded hex in the response, unpadded decimal in the receipt
  assert.equal(relationOf('12107289', idKeys('0000b8be19')), 'hex→dec');
  assert.equal(relationOf('12107290', idKeys('00B8BE19')), null);
});

test('IdMatcher: one candidate, or the relation this SMSC has shown', () => {
  const m = new IdMatcher();
  const same = (a: string, b: string) => a === b;
  const asGiven = () => 0;
  // unambiguous: hex submit ids with letters, decimal receipts
  assert.equal(m.choose(['12107289'], [{ item: 'A', keys: idKeys('b8be19') }], same, asGiven), 'A');
  assert.equal(m.preferred(), 'hex→dec');
  // "16" in a receipt: decimal of hex "10" (message B) or literally "16" (message C, hex id 16 = 22)
  const chosen = m.choose(['16'], [{ item: 'C', keys: idKeys('16') }, { item: 'B', keys: idKeys('10') }], same, asGiven);
  assert.equal(chosen, 'B');
  // with no history, exact wins
  const fresh = new IdMatcher();
  assert.equal(fresh.choose(['16'], [{ item: 'B', keys: idKeys('10') }, { item: 'C', keys: idKeys('16') }], same, asGiven), 'C');
  assert.equal(fresh.choose(['99'], [{ item: 'B', keys: idKeys('10') }], same, asGiven), null);
});

test('IdMatcher: two receipt ids (TLV and text) disagreeing in form still find one submit', () => {
  const m = new IdMatcher();
  const r = m.choose(['00B8BE19', '12107289'], [{ item: 'A', keys: idKeys('b8be19') }], (a, b) => a === b, () => 0);
  assert.equal(r, 'A');
});

test('IdMatcher: submits sharing an id (the SMSC handed it out again) go by `order`, within the chosen relation', () => {
  const m = new IdMatcher();
  const same = (a: string, b: string) => a === b;
  const newestFirst = (a: string, b: string) => b.localeCompare(a);
  const reused = [{ item: 'A1', keys: idKeys('2000') }, { item: 'A2', keys: idKeys('2000') }, { item: 'B', keys: idKeys('7d0') }];
  // '2000' is exactly A1's and A2's id, and the decimal of B's hex id: the exact matches win, then the order
  assert.equal(m.choose(['2000'], reused, same, newestFirst), 'A2');
});

test('IdMatcher: a lone match by a relation this SMSC does not use waits unless anyRelation (SMPPSim: decimal ids)', () => {
  const same = (a: string, b: string) => a === b;
  const asGiven = () => 0;
  const m = new IdMatcher();
  assert.equal(m.choose(['25'], [{ item: '25', keys: idKeys('25') }], same, asGiven), '25');
  // Receipt `37` before part `37` is stored: part `25` (hex 0x25 = 37) is its only match.
  const lone = [{ item: '25', keys: idKeys('25') }];
  assert.equal(m.choose(['37'], lone, same, asGiven, false), null);
  assert.equal(m.choose(['37'], lone, same, asGiven, true), '25');
  assert.equal(m.choose(['37'], [...lone, { item: '37', keys: idKeys('37') }], same, asGiven, false), '37');
  // With no history yet, any relation is taken: a hex SMSC's first receipt in decimal.
  assert.equal(new IdMatcher().choose(['12107289'], [{ item: 'A', keys: idKeys('b8be19') }], same, asGiven, false), 'A');
});
