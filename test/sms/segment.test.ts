import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentedMessage as Calculator } from 'sms-segments-calculator';
import { type Encoding, decodeText, encodeText, gsm7Cost } from '../../src/sms/encoding.js';
import {
  MAX_MESSAGE_CHARS,
  MAX_SEGMENTS,
  buildConcatUdh,
  buildUserData,
  countSegments,
  describe as describeText,
  parseUdh,
  segmentLimits,
  segmentText,
  udhLength,
} from '../../src/sms/segment.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unitsOf = (text: string): number[] => segmentText(text).segments.map((s) => s.units);

test('constants', () => {
  assert.equal(MAX_MESSAGE_CHARS, 4096);
  assert.equal(MAX_SEGMENTS, 255);
  assert.deepEqual(segmentLimits('GSM7'), { single: 160, multi: 153 });
  assert.deepEqual(segmentLimits('LATIN1'), { single: 140, multi: 134 });
  assert.deepEqual(segmentLimits('UCS2'), { single: 70, multi: 67 });
  assert.deepEqual(segmentLimits('GSM7', 16), { single: 160, multi: 152 });
  assert.deepEqual(segmentLimits('LATIN1', 16), { single: 140, multi: 133 });
  assert.deepEqual(segmentLimits('UCS2', 16), { single: 70, multi: 66 });
});

test('GSM7 boundaries: 160/161 and 306/307', () => {
  assert.deepEqual(unitsOf('a'.repeat(160)), [160]);
  assert.deepEqual(unitsOf('a'.repeat(161)), [153, 8]);
  assert.deepEqual(unitsOf('a'.repeat(306)), [153, 153]);
  assert.deepEqual(unitsOf('a'.repeat(307)), [153, 153, 1]);
  assert.deepEqual(describeText('a'.repeat(307)), { encoding: 'GSM7', segments: 3, units: 307 });
  const m = segmentText('a'.repeat(161));
  assert.equal(m.encoding, 'GSM7');
  assert.equal(m.dataCoding, 0);
  assert.equal(m.units, 161);
  assert.equal(m.segments[0]?.bytes.length, 153);
  assert.equal(m.segments[1]?.text, 'a'.repeat(8));
});

test('extension characters cost two septets: 80/81 euro signs', () => {
  assert.deepEqual(describeText('€'.repeat(80)), { encoding: 'GSM7', segments: 1, units: 160 });
  // 81 × 2 = 162 septets; each part takes 76 whole pairs (152 septets), never 76½.
  assert.deepEqual(unitsOf('€'.repeat(81)), [152, 10]);
});

test('an SMSC taking data_coding 0 as ASCII: GSM septet costs and limits, one byte per character', () => {
  // 80 braces are 160 septets on the air (one part); 81 are two, split where GSM would split them.
  const one = segmentText('{'.repeat(80), { alphabet: 'ascii' });
  assert.deepEqual({ encoding: one.encoding, dataCoding: one.dataCoding, units: one.units }, { encoding: 'GSM7', dataCoding: 0, units: 160 });
  assert.equal(hex(one.segments[0]?.bytes ?? Buffer.alloc(0)), '7b'.repeat(80));
  assert.deepEqual(segmentText('{'.repeat(81), { alphabet: 'ascii' }).segments.map((s) => [s.units, s.bytes.length]), [[152, 76], [10, 5]]);
  assert.deepEqual(describeText('@_', { alphabet: 'ascii' }), { encoding: 'GSM7', segments: 1, units: 2 });
  assert.deepEqual(describeText('x Δ', { alphabet: 'ascii' }), { encoding: 'UCS2', segments: 1, units: 3 });
  assert.deepEqual(describeText('x £', { alphabet: 'ascii' }), { encoding: 'LATIN1', segments: 1, units: 3 });
  assert.deepEqual(describeText('x £', { alphabet: 'latin1' }), { encoding: 'GSM7', segments: 1, units: 3 });
  assert.throws(() => segmentText('Δ', { encoding: 'GSM7', alphabet: 'latin1' }), /cannot be encoded as GSM7 in latin1/);
});

test('an escape pair straddling the 153-septet boundary moves whole to the next part', () => {
  const text = 'a'.repeat(152) + '€' + 'b'.repeat(10); // € would take septets 153 and 154
  const m = segmentText(text);
  assert.deepEqual(m.segments.map((s) => s.units), [152, 12]);
  assert.equal(m.segments[0]?.text, 'a'.repeat(152));
  assert.equal(m.segments[1]?.text.startsWith('€'), true);
  assert.equal(hex(m.segments[1]?.bytes.subarray(0, 2) ?? Buffer.alloc(0)), '1b65');
  assert.notEqual(m.segments[0]?.bytes.at(-1), 0x1b);
  // One septet earlier it fits exactly.
  assert.deepEqual(unitsOf('a'.repeat(151) + '{' + 'b'.repeat(10)), [153, 10]);
  // The same with a 16-bit reference moves the boundary to 152.
  const m16 = segmentText('a'.repeat(151) + '{' + 'b'.repeat(10), { refBits: 16 });
  assert.deepEqual(m16.segments.map((s) => s.units), [151, 12]);
});

test('UCS-2 boundaries: 70/71 Cyrillic', () => {
  assert.deepEqual(describeText('Ж'.repeat(70)), { encoding: 'UCS2', segments: 1, units: 70 });
  const m = segmentText('Ж'.repeat(71));
  assert.equal(m.dataCoding, 8);
  assert.deepEqual(m.segments.map((s) => s.units), [67, 4]);
  assert.equal(m.segments[0]?.bytes.length, 134);
});

test('a surrogate pair on the 67-unit boundary is not split', () => {
  const text = 'Ж'.repeat(66) + '😀' + 'Ж'.repeat(10);
  const m = segmentText(text);
  assert.deepEqual(m.segments.map((s) => s.units), [66, 12]);
  assert.equal(m.segments[1]?.text.startsWith('😀'), true);
  assert.equal(hex(m.segments[1]?.bytes.subarray(0, 4) ?? Buffer.alloc(0)), 'd83dde00');
  // 35 emoji are 70 units: one part. 36 are 72: 33 + 3 emoji (66 + 6 units).
  assert.deepEqual(describeText('😀'.repeat(35)), { encoding: 'UCS2', segments: 1, units: 70 });
  assert.deepEqual(unitsOf('😀'.repeat(36)), [66, 6]);
});

test('Latin-1 boundaries: 140/141', () => {
  const at140 = 'ÿ' + 'a'.repeat(139);
  assert.deepEqual(describeText(at140), { encoding: 'LATIN1', segments: 1, units: 140 });
  const m = segmentText(at140 + 'õ');
  assert.equal(m.encoding, 'LATIN1');
  assert.equal(m.dataCoding, 3);
  assert.deepEqual(m.segments.map((s) => s.units), [134, 7]);
  assert.equal(m.segments[0]?.bytes[0], 0xff);
  assert.equal(m.segments[1]?.bytes.at(-1), 0xf5);
  assert.deepEqual(unitsOf('ç'.repeat(268)), [134, 134]);
  assert.deepEqual(unitsOf('ç'.repeat(269)), [134, 134, 1]);
});

test('empty text is one empty part', () => {
  const m = segmentText('');
  assert.equal(m.segments.length, 1);
  assert.equal(m.segments[0]?.bytes.length, 0);
  assert.equal(countSegments(''), 1);
});

test('forced encoding', () => {
  assert.deepEqual(describeText('abc', { encoding: 'UCS2' }), { encoding: 'UCS2', segments: 1, units: 3 });
  assert.equal(hex(segmentText('ÿ', { encoding: 'UCS2' }).segments[0]?.bytes ?? Buffer.alloc(0)), '00ff');
  assert.throws(() => segmentText('ÿ', { encoding: 'GSM7' }), RangeError);
  assert.throws(() => describeText('Ж', { encoding: 'LATIN1' }), RangeError);
});

test('at most 255 parts', () => {
  assert.equal(segmentText('a'.repeat(153 * 255)).segments.length, 255);
  assert.throws(() => segmentText('a'.repeat(153 * 255 + 1)), /256 parts/);
});

/*
 * Concatenation UDH wire format (TS 23.040 §9.2.3.24.1 / .8):
 *   05 00 03 ref total seq          8-bit reference
 *   06 08 04 refHi refLo total seq  16-bit reference
 */
test('concatenation UDH bytes', () => {
  assert.equal(hex(buildConcatUdh(0x42, 3, 1)), '050003420301');
  assert.equal(hex(buildConcatUdh(0, 255, 255)), '05000300ffff');
  assert.equal(hex(buildConcatUdh(0x1234, 2, 2, 16)), '060804123402' + '02');
  assert.equal(hex(buildConcatUdh(0xffff, 1, 1, 16)), '060804ffff0101');
  assert.throws(() => buildConcatUdh(256, 2, 1), RangeError);
  assert.throws(() => buildConcatUdh(-1, 2, 1), RangeError);
  assert.throws(() => buildConcatUdh(0x10000, 2, 1, 16), RangeError);
  assert.throws(() => buildConcatUdh(1, 0, 1), RangeError);
  assert.throws(() => buildConcatUdh(1, 256, 1), RangeError);
  assert.throws(() => buildConcatUdh(1, 2, 0), RangeError);
  assert.throws(() => buildConcatUdh(1, 2, 3), RangeError);
  assert.throws(() => buildConcatUdh(1.5, 2, 1), RangeError);
});

test('buildUserData prefixes parts with the UDH, a single part goes bare', () => {
  assert.deepEqual(buildUserData(segmentText('hi'), 7), [Buffer.from('6869', 'hex')]);
  const parts = buildUserData(segmentText('a'.repeat(161)), 7);
  assert.equal(parts.length, 2);
  assert.equal(hex(parts[0]?.subarray(0, 6) ?? Buffer.alloc(0)), '050003070201');
  assert.equal(parts[0]?.length, 6 + 153);
  assert.equal(hex(parts[1] ?? Buffer.alloc(0)), '050003070202' + '61'.repeat(8));
  const parts16 = buildUserData(segmentText('Ж'.repeat(71), { refBits: 16 }), 0xabcd, 16);
  assert.equal(hex(parts16[1]?.subarray(0, 7) ?? Buffer.alloc(0)), '060804abcd0202');
  assert.equal(parts16[0]?.length, 7 + 66 * 2);
});

test('parseUdh reads back what buildConcatUdh wrote', () => {
  const payload = Buffer.from('hello');
  assert.deepEqual(parseUdh(Buffer.concat([buildConcatUdh(0x42, 3, 2), payload])), {
    ref: 0x42, refBits: 8, total: 3, seq: 2, headerLength: 6,
  });
  assert.deepEqual(parseUdh(Buffer.concat([buildConcatUdh(0xbeef, 4, 4, 16), payload])), {
    ref: 0xbeef, refBits: 16, total: 4, seq: 4, headerLength: 7,
  });
});

test('parseUdh skips other IEs and rejects malformed or unusable headers', () => {
  // Application port IE (05 04 dst dst src src) before the concat IE: UDHL = 6 + 5 = 0x0b.
  const withPorts = Buffer.from('0b' + '05040b8423f0' + '0003010201' + '41', 'hex');
  assert.deepEqual(parseUdh(withPorts), { ref: 1, refBits: 8, total: 2, seq: 1, headerLength: 12 });
  assert.equal(parseUdh(Buffer.from('06' + '05040b8423f0' + '41', 'hex')), null); // no concat IE
  assert.equal(udhLength(Buffer.from('06' + '05040b8423f0' + '41', 'hex')), 7);
  assert.equal(parseUdh(Buffer.from('050003010200', 'hex')), null); // seq 0
  assert.equal(parseUdh(Buffer.from('050003010003', 'hex')), null); // total 0
  assert.equal(parseUdh(Buffer.from('050003010203', 'hex')), null); // seq > total
  assert.equal(parseUdh(Buffer.from('0500030102', 'hex')), null); // UDHL runs past the data
  assert.equal(udhLength(Buffer.from('0500030102', 'hex')), null);
  assert.equal(parseUdh(Buffer.from('050004010201', 'hex')), null); // IE length runs past the header
  assert.equal(parseUdh(Buffer.alloc(0)), null);
  assert.equal(udhLength(Buffer.alloc(0)), null);
});

/** Seeded PRNG (mulberry32) so the property test below is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function range(from: number, to: number, keep: (cp: number) => boolean = () => true): string[] {
  const out: string[] = [];
  for (let cp = from; cp <= to; cp++) if (keep(cp)) out.push(String.fromCodePoint(cp));
  return out;
}

/*
 * Pools for random messages. Every character here is a grapheme cluster of its own, because the
 * calculator never splits a grapheme cluster across parts while we split only between code points
 * (an SMS part boundary inside a ZWJ emoji sequence or after a combining mark is legal and costs
 * less). So no ZWJ sequences, skin-tone modifiers, variation selectors or combining marks here.
 * CR and LF are in: the calculator splits "\r\n" into two characters as we do.
 */
const POOLS = {
  basic: range(0, 0xffff, (cp) => gsm7Cost(cp) === 1),
  ext: range(0, 0xffff, (cp) => gsm7Cost(cp) === 2),
  latin: range(0xa0, 0xff, (cp) => gsm7Cost(cp) === 0),
  cyrillic: range(0x410, 0x44f),
  emoji: range(0x1f600, 0x1f64f),
};
type Pool = keyof typeof POOLS;
const MIXES: Pool[][] = [
  ['basic'], ['basic', 'ext'], ['ext'], ['basic', 'latin'], ['basic', 'ext', 'latin'], ['latin'],
  ['basic', 'cyrillic'], ['cyrillic'], ['emoji'], ['basic', 'emoji'], ['cyrillic', 'emoji', 'ext'],
];
// Lengths near the boundaries in every encoding. (The calculator is quadratic in the length, so
// messages at the API's 4096 maximum get their own, shorter test below.)
const NEAR = [67, 70, 134, 140, 152, 153, 160, 201, 268, 306, 459];

function randomMessage(rnd: () => number, fixedLength?: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const mix = pick(MIXES);
  // Mostly the first pool, so single rare characters land at random places, boundaries included.
  const rare = rnd() * 0.3;
  const base = rnd() < 0.5 ? pick(NEAR) : Math.floor(rnd() * 480);
  const length = fixedLength ?? Math.max(0, base + Math.floor(rnd() * 7) - 3);
  let text = '';
  while (text.length < length) {
    const pool = mix.length === 1 || rnd() >= rare ? mix[0] : pick(mix.slice(1));
    text += pick(POOLS[pool ?? 'basic']);
  }
  return text;
}

const CALC_NAME: Record<'GSM7' | 'UCS2', string> = { GSM7: 'GSM-7', UCS2: 'UCS-2' };

/*
 * Cross-check with Twilio's sms-segments-calculator. It knows only GSM-7 and UCS-2: where we pick
 * Latin-1 it says UCS-2, so for those texts we compare our count under a forced UCS2 encoding instead.
 * Every fifth text is also compared in forced UCS-2 (the calculator is slow), and our own invariants
 * are checked on the full split of every text.
 */
test('segment counts agree with sms-segments-calculator on 4000 seeded random messages', () => {
  const rnd = mulberry32(0x5b0a4d);
  const compared: Record<Encoding, number> = { GSM7: 0, LATIN1: 0, UCS2: 0 };
  for (let n = 0; n < 4000; n++) {
    const text = randomMessage(rnd);
    const ours = describeText(text);
    const calc = new Calculator(text);
    const label = `message #${n} (${ours.encoding}, ${text.length} units): ${JSON.stringify(text.slice(0, 40))}`;
    if (ours.encoding === 'LATIN1') {
      assert.equal(calc.encodingName, 'UCS-2', label);
      assert.equal(describeText(text, { encoding: 'UCS2' }).segments, calc.segmentsCount, label);
    } else {
      assert.equal(calc.encodingName, CALC_NAME[ours.encoding], label);
      assert.equal(ours.segments, calc.segmentsCount, label);
      if (ours.encoding === 'GSM7') assert.equal(ours.units, calc.numberOfCharacters, label);
    }
    compared[ours.encoding]++;
    if (n % 5 === 0) {
      const forced = describeText(text, { encoding: 'UCS2' }).segments;
      assert.equal(forced, new Calculator(text, 'UCS-2').segmentsCount, `${label}, forced UCS-2`);
    }

    const m = segmentText(text);
    assert.equal(m.segments.length, ours.segments, label);
    assert.equal(m.units, ours.units, label);
    assert.equal(m.segments.map((s) => s.text).join(''), text, label);
    assert.equal(hex(Buffer.concat(m.segments.map((s) => s.bytes))), hex(encodeText(text, m.encoding)), label);
    const { single, multi } = segmentLimits(m.encoding);
    for (const s of m.segments) {
      assert.ok(s.units <= (m.segments.length === 1 ? single : multi), label);
      assert.equal(decodeText(s.bytes, m.dataCoding), s.text, label); // no escape or surrogate pair was cut
    }
  }
  // The property test must not pass vacuously.
  assert.ok(compared.GSM7 > 800, `GSM7 compared ${compared.GSM7}`);
  assert.ok(compared.LATIN1 > 300, `LATIN1 compared ${compared.LATIN1}`);
  assert.ok(compared.UCS2 > 800, `UCS2 compared ${compared.UCS2}`);
});

test('segment counts agree with sms-segments-calculator at the 4096-character maximum', () => {
  const rnd = mulberry32(4096);
  for (let n = 0; n < 12; n++) {
    const text = randomMessage(rnd, MAX_MESSAGE_CHARS);
    const ours = describeText(text, { encoding: describeText(text).encoding === 'LATIN1' ? 'UCS2' : undefined });
    assert.equal(ours.segments, new Calculator(text).segmentsCount, `message #${n} (${ours.encoding})`);
  }
});
