/**
 * SMS character encodings: GSM 03.38 (3GPP TS 23.038) default alphabet, ISO-8859-1 and UCS-2.
 *
 * Pure functions. Encoders never substitute: a character the encoding cannot carry throws, because
 * a silent fallback (the `smpp` package turns unknown characters into 0x00, i.e. '@') would deliver a
 * different message than the one the API accepted. Decoders are lenient instead (inbound bytes come
 * from carriers we don't control) and show undecodable input as U+FFFD.
 */

export type Encoding = 'GSM7' | 'LATIN1' | 'UCS2';

/** SMPP 3.4 `data_coding` values for the encodings we send (§5.2.19). */
export const DATA_CODING = {
  GSM7: 0x00, // "SMSC default alphabet": GSM 03.38 as unpacked septets, or the SMSC's own (DefaultAlphabet)
  IA5: 0x01, // IA5 / ASCII; only ever decoded
  LATIN1: 0x03,
  UCS2: 0x08,
} as const;

export type DataCoding = (typeof DATA_CODING)[keyof typeof DATA_CODING];

/**
 * What an SMSC means by `data_coding` 0, "SMSC Default Alphabet", which SMPP 3.4 §5.2.19 leaves to
 * each SMSC: GSM 03.38 as unpacked septets, or ASCII (IA5) or Latin-1 bytes, as SMPPSim and many
 * US carriers take it (Kannel's `alt-charset`). The air interface is GSM 7-bit either way: only
 * the bytes between us and the SMSC differ.
 */
export type DefaultAlphabet = 'gsm' | 'ascii' | 'latin1';

export const DEFAULT_ALPHABETS: readonly DefaultAlphabet[] = ['gsm', 'ascii', 'latin1'];

/** The highest code unit each default alphabet carries; GSM's own table is gsm7Cost. */
const ALPHABET_TOP: Record<DefaultAlphabet, number> = { gsm: 0xffff, ascii: 0x7f, latin1: 0xff };

const ESC = 0x1b;

/*
 * GSM 03.38 default alphabet, indexed by septet value. Position 0x1B is the escape to the extension
 * table, not a character: U+001B in a message is *not* GSM-encodable (it would start an escape pair).
 * 0x09 is capital Ç as in TS 23.038; lower-case ç is not mapped onto it (that would change the text).
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmno' +
  'pqrstuvwxyzäöñüà';

/** Extension table: sent as ESC (0x1B) + this septet, so each costs two septets. */
const EXTENSION: ReadonlyArray<readonly [septet: number, char: string]> = [
  [0x0a, '\f'], // form feed (page break)
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
];

/** UTF-16 code unit → septet, for the basic table. */
const BASIC_BY_CHAR = new Map<number, number>();
for (let septet = 0; septet < BASIC.length; septet++) {
  if (septet !== ESC) BASIC_BY_CHAR.set(BASIC.charCodeAt(septet), septet);
}
/** UTF-16 code unit → septet following ESC. */
const EXTENSION_BY_CHAR = new Map<number, number>(EXTENSION.map(([septet, ch]) => [ch.charCodeAt(0), septet]));
/** septet following ESC → character. */
const EXTENSION_BY_SEPTET = new Map<number, string>(EXTENSION);

/** Septet cost per UTF-16 code unit, as a flat table: segment counting runs on every API request. */
const GSM7_COST = new Uint8Array(0x10000);
for (const unit of BASIC_BY_CHAR.keys()) GSM7_COST[unit] = 1;
for (const unit of EXTENSION_BY_CHAR.keys()) GSM7_COST[unit] = 2;

/** Septets one UTF-16 code unit costs in GSM 7-bit: 1 (basic), 2 (extension) or 0 (not GSM). */
export function gsm7Cost(codeUnit: number): 0 | 1 | 2 {
  return (GSM7_COST[codeUnit] ?? 0) as 0 | 1 | 2;
}

/**
 * Whether the text can go as GSM 7-bit to an SMSC with this default alphabet: every character is
 * in GSM 03.38 and, when the SMSC takes `data_coding` 0 as ASCII or Latin-1, in that alphabet too
 * (Δ is in neither, € is GSM but not Latin-1, £ is not ASCII).
 */
export function isGsm7(text: string, alphabet: DefaultAlphabet = 'gsm'): boolean {
  return firstNotGsm7(text, alphabet) === -1;
}

/** Index of the first character that cannot go as GSM 7-bit in this default alphabet, or -1. */
function firstNotGsm7(text: string, alphabet: DefaultAlphabet): number {
  const top = ALPHABET_TOP[alphabet];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit > top || gsm7Cost(unit) === 0) return i;
  }
  return -1;
}

export function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * The encoding a message goes out in: GSM7 when every character is in GSM 03.38 (basic or
 * extension) and in the SMSC's default alphabet, else LATIN1 when every character fits ISO-8859-1,
 * else UCS2. A fixed preference, not a per-message cost comparison: GSM 7-bit is what every handset
 * renders, so it wins even where Latin-1 would need fewer segments (e.g. a text full of '{', which
 * costs two septets each).
 */
export function detectEncoding(text: string, alphabet: DefaultAlphabet = 'gsm'): Encoding {
  if (isGsm7(text, alphabet)) return 'GSM7';
  if (isLatin1(text)) return 'LATIN1';
  return 'UCS2';
}

export function canEncode(text: string, encoding: Encoding, alphabet: DefaultAlphabet = 'gsm'): boolean {
  switch (encoding) {
    case 'GSM7':
      return isGsm7(text, alphabet);
    case 'LATIN1':
      return isLatin1(text);
    case 'UCS2':
      return true;
  }
}

export function dataCodingOf(encoding: Encoding): DataCoding {
  return DATA_CODING[encoding];
}

function unencodable(text: string, index: number, encoding: string): RangeError {
  const cp = text.codePointAt(index) ?? 0;
  return new RangeError(
    `character U+${cp.toString(16).toUpperCase().padStart(4, '0')} at index ${index} cannot be encoded as ${encoding}`,
  );
}

/** GSM 03.38 as unpacked septets, one per byte (what SMPP `data_coding` 0 carries). Throws on a non-GSM character. */
export function encodeGsm7(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const basic = BASIC_BY_CHAR.get(unit);
    if (basic !== undefined) {
      out[n++] = basic;
      continue;
    }
    const ext = EXTENSION_BY_CHAR.get(unit);
    if (ext === undefined) throw unencodable(text, i, 'GSM7');
    out[n++] = ESC;
    out[n++] = ext;
  }
  return out.subarray(0, n);
}

/**
 * GSM 7-bit text as the bytes of an SMSC whose default alphabet is ASCII or Latin-1, one per
 * character (`{` is one byte here, though it costs two septets on the air). Throws on a character
 * that is not GSM or not in that alphabet.
 */
function encodeGsm7As(text: string, alphabet: 'ascii' | 'latin1'): Buffer {
  const bad = firstNotGsm7(text, alphabet);
  if (bad !== -1) throw unencodable(text, bad, `GSM7 in ${alphabet}`);
  return Buffer.from(text, 'latin1');
}

/** ISO-8859-1, one byte per character (`data_coding` 3). Throws on a character above U+00FF. */
export function encodeLatin1(text: string): Buffer {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) throw unencodable(text, i, 'LATIN1');
  return Buffer.from(text, 'latin1');
}

/**
 * UTF-16BE (`data_coding` 8). Characters outside the BMP go out as surrogate pairs, as handsets
 * expect in practice even though the label says UCS-2.
 */
export function encodeUcs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** The text's bytes in `encoding`; GSM7 (`data_coding` 0) as the SMSC's default alphabet writes it. */
export function encodeText(text: string, encoding: Encoding, alphabet: DefaultAlphabet = 'gsm'): Buffer {
  switch (encoding) {
    case 'GSM7':
      return alphabet === 'gsm' ? encodeGsm7(text) : encodeGsm7As(text, alphabet);
    case 'LATIN1':
      return encodeLatin1(text);
    case 'UCS2':
      return encodeUcs2(text);
  }
}

/**
 * Unpacked septets → text. ESC followed by a septet with no extension character shows the basic
 * character for that septet (TS 23.038 §6.2.1.1); ESC ESC and a trailing ESC show a space (the code
 * is reserved for a further extension table, which receivers display as a space). Bytes above 0x7F
 * are not septets and become U+FFFD.
 */
export function decodeGsm7(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b > 0x7f) {
      out += '\uFFFD';
    } else if (b !== ESC) {
      out += BASIC[b];
    } else {
      const next = bytes[i + 1];
      i++;
      if (next === undefined || next === ESC) out += ' ';
      else if (next > 0x7f) out += '\uFFFD';
      else out += EXTENSION_BY_SEPTET.get(next) ?? BASIC[next];
    }
  }
  return out;
}

export function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** IA5 (`data_coding` 1) is 7-bit ASCII; a byte above 0x7F is not IA5 and becomes U+FFFD. */
export function decodeIa5(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b > 0x7f ? '\uFFFD' : String.fromCharCode(b);
  return out;
}

/** UTF-16BE → text; a dangling odd byte becomes U+FFFD. */
export function decodeUcs2(bytes: Uint8Array): string {
  const even = bytes.byteLength & ~1;
  const copy = Buffer.from(bytes.subarray(0, even)); // swap16 works in place: don't touch the caller's bytes
  const text = copy.swap16().toString('utf16le');
  return even === bytes.byteLength ? text : text + '\uFFFD';
}

/**
 * How text with this SMPP `data_coding` is decoded, or null for binary/unsupported codings.
 * 0xF0–0xFF is the GSM "message class" group: bit 2 clear means default alphabet, set means 8-bit data.
 */
export function textCodingOf(dataCoding: number): 'GSM7' | 'IA5' | 'LATIN1' | 'UCS2' | null {
  if (dataCoding === DATA_CODING.GSM7) return 'GSM7';
  if (dataCoding === DATA_CODING.IA5) return 'IA5';
  if (dataCoding === DATA_CODING.LATIN1) return 'LATIN1';
  if (dataCoding === DATA_CODING.UCS2) return 'UCS2';
  if (dataCoding >= 0xf0 && dataCoding <= 0xff && (dataCoding & 0x04) === 0) return 'GSM7';
  return null;
}

/**
 * The `data_coding` naming what an SMSC with this default alphabet means by `dataCoding`: its 0 is
 * IA5 (1) or Latin-1 (3) when that is its alphabet, so that the decoders of those codings read it;
 * any other value means what it says (0xF0–0xF3 name GSM 03.38 itself).
 */
export function dataCodingMeant(dataCoding: number, alphabet: DefaultAlphabet): number {
  if (dataCoding !== DATA_CODING.GSM7) return dataCoding;
  if (alphabet === 'ascii') return DATA_CODING.IA5;
  if (alphabet === 'latin1') return DATA_CODING.LATIN1;
  return dataCoding;
}

/** Decode a short message's text (UDH already stripped). Throws RangeError for binary/unsupported codings. */
export function decodeText(bytes: Uint8Array, dataCoding: number): string {
  switch (textCodingOf(dataCoding)) {
    case 'GSM7':
      return decodeGsm7(bytes);
    case 'IA5':
      return decodeIa5(bytes);
    case 'LATIN1':
      return decodeLatin1(bytes);
    case 'UCS2':
      return decodeUcs2(bytes);
    case null:
      throw new RangeError(`data_coding 0x${dataCoding.toString(16).padStart(2, '0')} is not a supported text coding`);
  }
}

/*
 * GSM 7-bit packing (TS 23.038 §6.1.2.1.1), only for carrier profiles that want packed septets:
 * septets are laid LSB-first into octets, continuing across octet boundaries.
 *
 *   septets  s0=1010101 s1=...        octet 0 = s1[0] s0[6..0]   (bit 7 .. bit 0)
 *                                     octet 1 = s2[1..0] s1[6..1] ...
 *
 * `fillBits` (0–6) leading zero bits align the first septet after a UDH to a septet boundary:
 * fillBits = (7 - (udhOctets * 8) % 7) % 7, e.g. 1 for the 6-octet concatenation header.
 */
export function packSeptets(septets: Uint8Array, fillBits = 0): Buffer {
  const totalBits = fillBits + septets.length * 7;
  const out = Buffer.alloc(Math.ceil(totalBits / 8));
  let bit = fillBits;
  for (const s of septets) {
    const v = s & 0x7f;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] = (out[byte] ?? 0) | ((v << shift) & 0xff);
    if (shift > 1) out[byte + 1] = (out[byte + 1] ?? 0) | (v >> (8 - shift));
    bit += 7;
  }
  return out;
}

/** Inverse of packSeptets: `count` septets starting after `fillBits` bits. */
export function unpackSeptets(packed: Uint8Array, count: number, fillBits = 0): Buffer {
  const out = Buffer.alloc(count);
  let bit = fillBits;
  for (let i = 0; i < count; i++) {
    const byte = bit >> 3;
    const shift = bit & 7;
    const lo = (packed[byte] ?? 0) >> shift;
    const hi = shift > 1 ? (packed[byte + 1] ?? 0) << (8 - shift) : 0;
    out[i] = (lo | hi) & 0x7f;
    bit += 7;
  }
  return out;
}
