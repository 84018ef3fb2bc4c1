import { TextDecoder } from 'node:util';
import { ApiError } from '../errors.js';

/**
 * Request bodies as text, in the character set the client declared. Older clients of the AT&T
 * API send Latin-1 (`charset=ISO-8859-1`, an XML declaration's `encoding`, or nothing at all);
 * read as UTF-8, their text reached the handset garbled while the send answered 201.
 */

/** The `charset` parameter of a Content-Type header, lower-cased; undefined when there is none. */
export function charsetParam(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m?.[1]?.toLowerCase();
}

/**
 * An XML body's own declaration of its encoding when the Content-Type has none: a byte order
 * mark, else the declaration's `encoding` (read in the ASCII its first bytes must be in).
 */
export function xmlDeclaredCharset(body: Uint8Array): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  const head = Buffer.from(body.subarray(0, 200)).toString('latin1');
  return /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1]?.toLowerCase();
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What windows-1252 has at 0x80–0x9F (WHATWG's index; the five bytes it leaves unassigned stay
 * the C1 control of their value); every other byte is the code point of its value.
 */
const WINDOWS_1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/**
 * windows-1252, which the WHATWG Encoding Standard (and so every browser) also reads for the
 * `latin1`, `iso-8859-1` and `us-ascii` labels. Node 20's TextDecoder takes those labels for
 * windows-1252 but decodes 0x80–0x9F as C1 controls: a Windows client's €, “ and ” reached the
 * handset as U+0080, U+0093 and U+0094.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] ?? c);
}

function decoderFor(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset);
  } catch {
    throw new ApiError('POL0011', [], { status: 415 });
  }
}

/**
 * Decodes `bytes` in `charset` (any label the WHATWG Encoding Standard knows, decoded as it says;
 * another is 415 POL0011). Without one: UTF-8, or windows-1252 (Latin-1 with €, curly quotes …
 * at 0x80–0x9F, as browsers read Latin-1) when the bytes are not UTF-8 — an undeclared Latin-1
 * client's é is never valid UTF-8, and valid UTF-8 is never read any other way.
 */
export function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  if (charset !== undefined) {
    const decoder = decoderFor(charset);
    return decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes);
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/**
 * What a body sent as `application/x-www-form-urlencoded` or `text/plain` really holds when it is
 * a JSON object or an XML document: its first character after whitespace (and a UTF-8 byte order
 * mark) is `{` or `<`, which no form's first key starts with. AT&T's Ruby codekit posts
 * `payload.to_json` without a Content-Type, and Ruby's Net::HTTP labels any such body as a form;
 * fetch() labels a string body `text/plain;charset=UTF-8`.
 */
export function documentInBody(body: Uint8Array): 'json' | 'xml' | undefined {
  let i = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  while (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d) i++;
  if (body[i] === 0x7b) return 'json';
  if (body[i] === 0x3c) return 'xml';
  return undefined;
}

const HEX = /^[0-9a-fA-F]{2}$/;

/** The bytes a form value stands for: `%XX` escapes as their byte, `+` as a space, anything else as sent. */
function formBytes(raw: string): Uint8Array {
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && HEX.test(raw.slice(i + 1, i + 3))) {
      out[n++] = parseInt(raw.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      // `raw` is the body read byte for byte (latin1): a careless client's unescaped bytes stay bytes.
      out[n++] = c === 0x2b ? 0x20 : c;
    }
  }
  return out.subarray(0, n);
}

/**
 * The list fields of request bodies: repeated in a form or XML, and so always read as a list. The
 * Send SMS recipients (`address`, `Address` on v2), in any case.
 */
export const LIST_FIELDS: ReadonlySet<string> = new Set(['address']);

/** `name[]` (jQuery, Rails) or `name[N]` (PHP's http_build_query): the name and the index, if any. */
const BRACKETED = /^(.+)\[(\d*)\]$/;

/** Orders indexes written in digits, of any length, without reading them as numbers. */
function compareIndexes(a: string, b: string): number {
  const [x, y] = [a.replace(/^0+/, ''), b.replace(/^0+/, '')];
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

/**
 * Parses an `application/x-www-form-urlencoded` body: values decoded in `charset` (as decodeText),
 * a repeated key collected into an array in order. Not @fastify/formbody, whose parser decodes
 * escapes as UTF-8 only and leaves any other byte as the literal `%E9`.
 *
 * A list field (LIST_FIELDS) may also come as the form arrays of PHP and Rails clients:
 * `Address[0]=…&Address[1]=…` (PHP's `http_build_query`) or `Address[]=…&Address[]=…` (jQuery,
 * Rails), each a repeat of `Address`; `[N]` ones in index order, after any plain or `[]` ones.
 * Other bracketed names are kept as sent, fields no route knows.
 */
export function parseFormBody(body: Uint8Array, charset: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const indexed = new Map<string, { index: string; value: string }[]>();
  const add = (key: string, value: string) => {
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[key] = [seen, value];
  };
  const text = Buffer.from(body).toString('latin1');
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeText(formBytes(eq === -1 ? pair : pair.slice(0, eq)), charset);
    const value = decodeText(formBytes(eq === -1 ? '' : pair.slice(eq + 1)), charset);
    const [, name, index] = BRACKETED.exec(key) ?? [];
    if (name === undefined || index === undefined || !LIST_FIELDS.has(name.toLowerCase())) add(key, value);
    else if (index === '') add(name, value);
    else {
      const entries = indexed.get(name) ?? [];
      entries.push({ index, value });
      indexed.set(name, entries);
    }
  }
  for (const [name, entries] of indexed) {
    // Stable: a repeated index keeps the order it was sent in.
    for (const { value } of entries.sort((a, b) => compareIndexes(a.index, b.index))) add(name, value);
  }
  return out;
}
