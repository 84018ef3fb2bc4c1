import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import { charsetParam, decodeText, parseFormBody, xmlDeclaredCharset } from '../../src/http/body-text.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

test('charsetParam: the parameter, lower-cased, quoted or not; none without one', () => {
  assert.equal(charsetParam('application/json; charset=ISO-8859-1'), 'iso-8859-1');
  assert.equal(charsetParam('text/xml;Charset="UTF-8"'), 'utf-8');
  assert.equal(charsetParam('application/x-www-form-urlencoded'), undefined);
  assert.equal(charsetParam(undefined), undefined);
});

test('xmlDeclaredCharset: a byte order mark, else the declaration’s encoding', () => {
  assert.equal(xmlDeclaredCharset(latin1("<?xml version='1.0' encoding='ISO-8859-1'?><a/>")), 'iso-8859-1');
  assert.equal(xmlDeclaredCharset(Buffer.from('\uFEFF<a/>', 'utf8')), 'utf-8');
  assert.equal(xmlDeclaredCharset(Buffer.from([0xff, 0xfe, 0x3c, 0x00])), 'utf-16le');
  assert.equal(xmlDeclaredCharset(latin1('<?xml version="1.0"?><a/>')), undefined);
  assert.equal(xmlDeclaredCharset(latin1('<a encoding="latin1"/>')), undefined);
});

test('decodeText: the declared charset; without one UTF-8, or Latin-1 when the bytes are not UTF-8', () => {
  assert.equal(decodeText(latin1('caf\xe9'), 'iso-8859-1'), 'café');
  assert.equal(decodeText(Buffer.from('café €', 'utf8'), undefined), 'café €');
  assert.equal(decodeText(latin1('caf\xe9 na\xefve'), undefined), 'café naïve');
  assert.equal(decodeText(Buffer.from('\uFEFF{}', 'utf8'), 'utf-8'), '{}');
  // Bytes that are not text in the declared charset are U+FFFD, as browsers read them: refusing
  // them would refuse a message cut at a byte count mid-character, and reading them as Latin-1
  // would garble the rest of the text the client did write in UTF-8.
  assert.equal(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xc3]), 'utf-8'), 'caf\uFFFD');
  assert.equal(decodeText(Buffer.concat([Buffer.from('é ', 'utf8'), latin1('\xe9')]), 'utf-8'), 'é \uFFFD');
  assert.throws(
    () => decodeText(latin1('x'), 'x-no-such-charset'),
    (err: unknown) => err instanceof ApiError && err.id === 'POL0011' && err.status === 415,
  );
});

test('decodeText: windows-1252 and every label WHATWG maps to it (Latin-1, ASCII), and undeclared non-UTF-8 bytes, read 0x80–0x9F through the windows-1252 table', () => {
  const bytes = Buffer.from([0x80, 0x82, 0x85, 0x8a, 0x8c, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0x99, 0x9f, 0x81, 0x8d, 0x8f, 0x90, 0x9d, 0xe9, 0x41]);
  const meant = '€‚…ŠŒ‘’“”–—™Ÿ\u0081\u008D\u008F\u0090\u009DéA';
  for (const label of ['windows-1252', 'cp1252', 'x-cp1252', 'latin1', 'iso-8859-1', 'iso8859-1', 'us-ascii', undefined]) {
    assert.equal(decodeText(bytes, label), meant, String(label));
  }
  assert.equal(parseFormBody(latin1('m=%80uro+%93q%94'), 'windows-1252').m, '€uro “q”');
  // Other single-byte charsets are Node's own (ICU), already right.
  assert.equal(decodeText(Buffer.from([0x80, 0x8a]), 'windows-1250'), '€Š');
});

test('parseFormBody: escapes and plus signs decoded in the charset, repeated keys in order, no prototype keys', () => {
  const form = parseFormBody(latin1('address=tel%3A%2B1425&address=tel:+1426&message=caf%E9+ok&empty=&flag&__proto__=x'), 'iso-8859-1');
  assert.deepEqual({ ...form }, { address: ['tel:+1425', 'tel: 1426'], message: 'café ok', empty: '', flag: '', ['__proto__']: 'x' });
  assert.equal(Object.getPrototypeOf(form), null);
  assert.equal(parseFormBody(latin1('m=caf%C3%A9'), undefined).m, 'café');
  assert.equal(parseFormBody(latin1('m=caf%E9'), undefined).m, 'café');
  assert.equal(parseFormBody(latin1('m=100%+sure%zz'), undefined).m, '100% sure%zz');
  assert.equal(parseFormBody(Buffer.from('m=café', 'utf8'), undefined).m, 'café');
});

test('parseFormBody: `address[]` and `address[N]` are repeats of the list field, `[N]` in index order; other bracketed names stay as sent', () => {
  const php = parseFormBody(latin1('Address%5B10%5D=k&Address%5B2%5D=c&Address%5B02%5D=c2&Address%5B0%5D=a&Message=m&Message%5B0%5D=x&Foo%5B%5D=y'), undefined);
  assert.deepEqual({ ...php }, { Address: ['a', 'c', 'c2', 'k'], Message: 'm', 'Message[0]': 'x', 'Foo[]': 'y' });
  const rails = parseFormBody(latin1('address=p&address%5B%5D=q&address[]=r&address%5B1%5D=t&address%5B%5D%5B%5D=z&address%5Bx%5D=w'), undefined);
  assert.deepEqual({ ...rails }, { address: ['p', 'q', 'r', 't'], 'address[][]': 'z', 'address[x]': 'w' });
  assert.equal(parseFormBody(latin1('address%5B%5D=one'), undefined).address, 'one');
});
