import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  DATA_CODING,
  canEncode,
  dataCodingMeant,
  dataCodingOf,
  decodeGsm7,
  decodeLatin1,
  decodeText,
  decodeUcs2,
  detectEncoding,
  encodeGsm7,
  encodeLatin1,
  encodeText,
  encodeUcs2,
  gsm7Cost,
  isGsm7,
  packSeptets,
  textCodingOf,
  unpackSeptets,
} from '../../src/sms/encoding.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// Twilio's calculator ships its own GSM table; it is an independent transcription of TS 23.038.
const require = createRequire(import.meta.url);
const calculatorTable = (require('sms-segments-calculator/dist/libs/UnicodeToGSM.js') as { default: Record<string, number[]> })
  .default;

test('GSM table agrees with sms-segments-calculator for every BMP code unit', () => {
  let encodable = 0;
  for (let unit = 0; unit <= 0xffff; unit++) {
    const theirs = calculatorTable[unit];
    const ch = String.fromCharCode(unit);
    if (theirs === undefined) {
      assert.equal(gsm7Cost(unit), 0, `U+${unit.toString(16)} should not be GSM`);
      assert.throws(() => encodeGsm7(ch), RangeError);
    } else {
      encodable++;
      assert.equal(gsm7Cost(unit), theirs.length);
      assert.deepEqual([...encodeGsm7(ch)], theirs, `U+${unit.toString(16)}`);
    }
  }
  assert.equal(encodable, 127 + 10); // 128 basic minus ESC, plus 10 extension characters
});

test('GSM basic table positions (spot checks from TS 23.038)', () => {
  const cases: Array<[string, number]> = [
    ['@', 0x00], ['£', 0x01], ['$', 0x02], ['Ç', 0x09], ['\n', 0x0a], ['\r', 0x0d], ['Δ', 0x10], ['_', 0x11],
    ['Ξ', 0x1a], ['É', 0x1f], ['¤', 0x24], ['¡', 0x40], ['§', 0x5f], ['¿', 0x60], ['à', 0x7f],
  ];
  for (const [ch, septet] of cases) assert.deepEqual([...encodeGsm7(ch)], [septet], ch);
});

test('escape and lookalikes are not GSM', () => {
  assert.equal(isGsm7('\u001b'), false); // would start an escape pair
  assert.equal(isGsm7('ç'), false); // only capital Ç is at 0x09
  assert.equal(isGsm7('`'), false);
  assert.throws(() => encodeGsm7('a\u001b'), /U\+001B at index 1/);
  assert.throws(() => encodeGsm7('abÿ'), /U\+00FF at index 2 cannot be encoded as GSM7/);
});

test('detectEncoding prefers GSM7, then LATIN1, then UCS2', () => {
  assert.equal(detectEncoding(''), 'GSM7');
  assert.equal(detectEncoding('Hello, world!'), 'GSM7');
  assert.equal(detectEncoding('café {€} [~] |^\\ \f'), 'GSM7');
  assert.equal(detectEncoding('ÿ'), 'LATIN1');
  assert.equal(detectEncoding('façade'), 'LATIN1');
  assert.equal(detectEncoding('õ and {'), 'LATIN1');
  assert.equal(detectEncoding('ÿ€'), 'UCS2'); // € is GSM but not Latin-1, ÿ is Latin-1 but not GSM
  assert.equal(detectEncoding('Привет'), 'UCS2');
  assert.equal(detectEncoding('hi 😀'), 'UCS2');
  assert.equal(canEncode('ÿ', 'GSM7'), false);
  assert.equal(canEncode('ÿ', 'LATIN1'), true);
  assert.equal(canEncode('Ж', 'LATIN1'), false);
  assert.equal(canEncode('Ж', 'UCS2'), true);
});

/*
 * SMPP 3.4 §5.2.19 leaves data_coding 0 ("SMSC Default Alphabet") to the SMSC: SMPPSim and many US
 * carriers take it as ASCII or Latin-1 (an interop trial against SMPPSim showed `@` sent as 0x00).
 */
test('default alphabet: GSM7 only for text the SMSC\'s alphabet carries, else LATIN1, else UCS2', () => {
  const gsmOnly = '@_{}[]~|\\^ $';
  assert.equal(detectEncoding(gsmOnly, 'ascii'), 'GSM7');
  assert.equal(detectEncoding(gsmOnly, 'latin1'), 'GSM7');
  assert.equal(detectEncoding('£5 café', 'gsm'), 'GSM7');
  assert.equal(detectEncoding('£5 café', 'latin1'), 'GSM7');
  assert.equal(detectEncoding('£5 café', 'ascii'), 'LATIN1'); // GSM, but £ and é are not ASCII
  assert.equal(detectEncoding('Δ', 'gsm'), 'GSM7');
  for (const alphabet of ['ascii', 'latin1'] as const) {
    assert.equal(detectEncoding('x = Δ', alphabet), 'UCS2', alphabet); // Greek capitals are in neither
    assert.equal(detectEncoding('5 €', alphabet), 'UCS2', alphabet); // GSM's extension, not Latin-1
    assert.equal(canEncode('Δ', 'GSM7', alphabet), false);
    assert.equal(canEncode('`', 'GSM7', alphabet), false, 'ASCII, but not GSM');
  }
  for (const ch of '£¥èéùìòÇØøÅåÆæßÉÄÖÑÜ§¿äöñüà¤¡') {
    assert.equal(canEncode(ch, 'GSM7', 'ascii'), false, ch);
    assert.equal(canEncode(ch, 'GSM7', 'latin1'), true, ch);
  }
});

test('default alphabet: data_coding 0 written as ASCII or Latin-1 bytes, one per character', () => {
  assert.equal(hex(encodeText('@_{}', 'GSM7')), '00111b281b29');
  assert.equal(hex(encodeText('@_{}', 'GSM7', 'gsm')), '00111b281b29');
  assert.equal(hex(encodeText('@_{}[]~|\\^$', 'GSM7', 'ascii')), '405f7b7d5b5d7e7c5c5e24');
  assert.equal(hex(encodeText('@_£é', 'GSM7', 'latin1')), '405fa3e9');
  assert.throws(() => encodeText('a£', 'GSM7', 'ascii'), /U\+00A3 at index 1 cannot be encoded as GSM7 in ascii/);
  assert.throws(() => encodeText('Δ', 'GSM7', 'latin1'), /U\+0394 at index 0 cannot be encoded as GSM7 in latin1/);
  assert.throws(() => encodeText('`', 'GSM7', 'latin1'), RangeError);
  assert.equal(hex(encodeText('é', 'LATIN1', 'ascii')), 'e9', 'other codings are what they say');
});

test('default alphabet: an MO\'s data_coding 0 is read as IA5 or Latin-1, other codings as they say', () => {
  assert.equal(dataCodingMeant(0, 'gsm'), 0);
  assert.equal(dataCodingMeant(0, 'ascii'), DATA_CODING.IA5);
  assert.equal(dataCodingMeant(0, 'latin1'), DATA_CODING.LATIN1);
  for (const coding of [1, 3, 8, 0xf0, 0x04]) assert.equal(dataCodingMeant(coding, 'ascii'), coding);
  const bytes = Uint8Array.from([0x40, 0x5f, 0x7b, 0x7d, 0xe9]);
  assert.equal(decodeText(bytes, dataCodingMeant(0, 'ascii')), '@_{}\uFFFD');
  assert.equal(decodeText(bytes, dataCodingMeant(0, 'latin1')), '@_{}é');
  assert.equal(decodeText(bytes.subarray(0, 4), dataCodingMeant(0, 'gsm')), '¡§äñ'); // what the gateway read before
});

test('data_coding numbers', () => {
  assert.deepEqual(DATA_CODING, { GSM7: 0, IA5: 1, LATIN1: 3, UCS2: 8 });
  assert.equal(dataCodingOf('GSM7'), 0);
  assert.equal(dataCodingOf('LATIN1'), 3);
  assert.equal(dataCodingOf('UCS2'), 8);
});

test('encoders produce the exact bytes', () => {
  assert.equal(hex(encodeGsm7('@£$ A')), '0001022041');
  assert.equal(hex(encodeGsm7('{€}')), '1b281b651b29');
  assert.equal(hex(encodeLatin1('ÿé A')), 'ffe92041');
  assert.throws(() => encodeLatin1('a€'), /U\+20AC at index 1 cannot be encoded as LATIN1/);
  assert.equal(hex(encodeUcs2('A€😀')), '004120acd83dde00');
  assert.equal(hex(encodeText('ÿ', 'UCS2')), '00ff');
  assert.equal(hex(encodeText('ÿ', 'LATIN1')), 'ff');
});

test('every GSM character round-trips through encode/decode', () => {
  let all = '';
  for (let unit = 0; unit <= 0xffff; unit++) if (gsm7Cost(unit) > 0) all += String.fromCharCode(unit);
  assert.equal(decodeGsm7(encodeGsm7(all)), all);
  assert.equal(decodeText(encodeGsm7(all), 0), all);
});

test('Latin-1 and UCS-2 round-trip', () => {
  let latin = '';
  for (let c = 0; c <= 0xff; c++) latin += String.fromCharCode(c);
  assert.equal(decodeLatin1(encodeLatin1(latin)), latin);
  assert.equal(decodeText(encodeLatin1(latin), 3), latin);
  const text = 'Привет, мир! 😀 €∑ ÿ';
  assert.equal(decodeUcs2(encodeUcs2(text)), text);
  assert.equal(decodeText(encodeUcs2(text), 8), text);
});

test('decodeGsm7 is lenient with what carriers send', () => {
  assert.equal(decodeGsm7(Uint8Array.from([0x1b, 0x41])), 'A'); // unknown extension → basic character
  assert.equal(decodeGsm7(Uint8Array.from([0x41, 0x1b])), 'A '); // dangling escape
  assert.equal(decodeGsm7(Uint8Array.from([0x1b, 0x1b, 0x41])), ' A'); // reserved double escape
  assert.equal(decodeGsm7(Uint8Array.from([0x41, 0x80])), 'A\uFFFD'); // not a septet
  assert.equal(decodeGsm7(Uint8Array.from([0x1b, 0x90])), '\uFFFD');
});

test('decodeUcs2 handles an odd byte and leaves its input alone', () => {
  const bytes = Uint8Array.from([0x00, 0x41, 0x04, 0x16, 0x00]);
  assert.equal(decodeUcs2(bytes), 'AЖ\uFFFD');
  assert.deepEqual([...bytes], [0x00, 0x41, 0x04, 0x16, 0x00]);
  const sub = Buffer.from([0xff, 0x00, 0x41]).subarray(1);
  assert.equal(decodeUcs2(sub), 'A');
});

test('decodeText dispatches on data_coding', () => {
  assert.equal(decodeText(Uint8Array.from([0x48, 0x69]), DATA_CODING.IA5), 'Hi');
  assert.equal(decodeText(Uint8Array.from([0x48, 0xe9]), DATA_CODING.IA5), 'H\uFFFD');
  assert.equal(decodeText(Uint8Array.from([0x00, 0x01]), 0xf0), '@£'); // GSM message class group, default alphabet
  assert.equal(textCodingOf(0xf1), 'GSM7');
  assert.equal(textCodingOf(0xf4), null); // class group, 8-bit data
  assert.equal(textCodingOf(0x04), null); // binary
  assert.throws(() => decodeText(Uint8Array.from([1, 2]), 0x04), /data_coding 0x04/);
  assert.throws(() => decodeText(Uint8Array.from([1, 2]), 0x02), RangeError);
});

test('packSeptets matches the TS 23.038 example and round-trips with fill bits', () => {
  // "hellohello" packed is the textbook example: E8 32 9B FD 46 97 D9 EC 37.
  assert.equal(hex(packSeptets(encodeGsm7('hellohello'))), 'e8329bfd4697d9ec37');
  assert.equal(hex(unpackSeptets(Buffer.from('e8329bfd4697d9ec37', 'hex'), 10)), hex(encodeGsm7('hellohello')));
  const septets = encodeGsm7('The quick brown fox {jumps} over €13 @ Ωmega');
  for (let fill = 0; fill <= 6; fill++) {
    const packed = packSeptets(septets, fill);
    assert.equal(packed.length, Math.ceil((fill + septets.length * 7) / 8));
    assert.equal((packed[0] ?? 0) & ((1 << fill) - 1), 0, 'fill bits are zero');
    assert.equal(hex(unpackSeptets(packed, septets.length, fill)), hex(septets));
  }
  // 160 septets fill exactly 140 octets.
  assert.equal(packSeptets(encodeGsm7('x'.repeat(160))).length, 140);
});
