import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_MAX_RECIPIENTS,
  parseAddress,
  parseRecipients,
  parseShortCode,
  splitAddressList,
  toE164,
  toTelUri,
} from '../../src/sms/address.js';

test('every spelling of a NANP number clients send normalises to E.164 (contract §12)', () => {
  const spellings = [
    'tel:+14255550100', // v3 codekits, Node
    'tel:14255550100',
    'tel:4255550100', // Java codekit, v2 docs
    '+14255550100',
    '14255550100',
    '4255550100',
    '  tel:+1 (425) 555-0100  ',
    '425-555-0100',
    '425.555.0100',
    'tel%3A%2B14255550100', // URL-encoded form value
    'tel%3A4255550100',
    'TEL:+14255550100',
    'Tel:425 555 0100',
  ];
  for (const s of spellings) {
    assert.deepEqual(parseAddress(s), { kind: 'msisdn', e164: '+14255550100', original: s }, s);
  }
});

test('the fictional 555-01xx range and other numbers from the docs are valid', () => {
  for (let x = 0; x <= 99; x++) {
    const n = `42555501${String(x).padStart(2, '0')}`;
    assert.equal(toE164(n), `+1${n}`, n);
  }
  assert.equal(toE164('tel:4258675309'), '+14258675309');
  assert.equal(toE164('+1 212 555 0123'), '+12125550123');
  assert.equal(toE164('6045550100'), '+16045550100'); // Canada is NANP too
});

test('the AT&T seed\'s own sample numbers are NANP numbers: area codes 555 and 444 included', () => {
  // Java and PHP codekit samples: `pn = "5555555555"`; the Ruby one: `"555-555-5555,444-555-5555"`.
  assert.deepEqual(parseAddress('5555555555'), { kind: 'msisdn', e164: '+15555555555', original: '5555555555' });
  assert.equal(toE164('tel:5555555555'), '+15555555555'); // what the Java codekit's formatAddresses sends
  assert.equal(toE164('555-555-5555'), '+15555555555');
  assert.equal(toE164('444-555-5555'), '+14445555555');
  assert.equal(toE164('tel:+1 (555) 555-0100'), '+15555550100');
  assert.deepEqual(parseRecipients('555-555-5555,444-555-5555'), {
    ok: true,
    recipients: [
      { e164: '+15555555555', original: '555-555-5555' },
      { e164: '+14445555555', original: '444-555-5555' },
    ],
  });
});

test('any ten digits are a US number: the seed\'s placeholders (1234567890, 3500000992, +12071111111) and N11 codes too', () => {
  for (const n of ['1234567890', '3500000992', '2071111111', '0235550100', '9115550100', '4254115555', '2002000000', '9999999999']) {
    for (const spelling of [n, `1${n}`, `+1${n}`, `tel:+1${n}`, `tel:${n}`, `tel:1${n}`]) {
      assert.equal(toE164(spelling), `+1${n}`, spelling);
    }
    assert.deepEqual(parseRecipients(`tel:${n}`), { ok: true, recipients: [{ e164: `+1${n}`, original: `tel:${n}` }] }, n);
  }
});

test('short codes', () => {
  const cases: Array<[string, string]> = [
    ['short:22627000', '22627000'],
    ['short:12345', '12345'],
    ['SHORT:123456', '123456'],
    ['22627000', '22627000'],
    ['12345', '12345'],
    ['tel:12345', '12345'],
    ['tel%3A12345', '12345'],
    ['tel:+22627000', '22627000'],
    ['123', '123'],
  ];
  for (const [input, code] of cases) {
    assert.deepEqual(parseAddress(input), { kind: 'shortcode', code, original: input }, input);
    assert.equal(parseShortCode(input), code, input);
  }
  assert.equal(parseShortCode('tel:+14255550100'), null);
  assert.equal(parseShortCode('short:12'), null);
  assert.equal(parseShortCode('123456789'), null);
});

test('invalid addresses say why', () => {
  const cases: Array<[string, 'email' | 'group' | 'malformed']> = [
    ['john@example.com', 'email'],
    ['tel:john@example.com', 'email'],
    ['map:group', 'group'],
    ['MAP:friends', 'group'],
    ['group', 'group'],
    ['group:abc', 'group'],
    ['', 'malformed'],
    ['   ', 'malformed'],
    ['tel:', 'malformed'],
    ['short:', 'malformed'],
    ['short:12', 'malformed'],
    ['short:+14255550100', 'malformed'],
    ['12', 'malformed'],
    ['123456789', 'malformed'], // 9 digits: neither a short code nor a number
    ['425555010', 'malformed'],
    ['142555501000', 'malformed'],
    ['+4255550100', 'malformed'], // '+' without country code 1
    ['+442079460958', 'malformed'], // valid, but not NANP
    ['tel:+14255550100;phone-context=x', 'malformed'],
    ['abc', 'malformed'],
    ['%ZZ', 'malformed'],
  ];
  for (const [input, reason] of cases) {
    assert.deepEqual(parseAddress(input), { kind: 'invalid', reason, original: input }, input);
  }
  assert.equal(toE164('22627000'), null);
});

test('toTelUri', () => {
  assert.equal(toTelUri('+14255550100'), 'tel:+14255550100');
});

test('splitAddressList flattens strings, comma lists and arrays', () => {
  assert.deepEqual(splitAddressList(undefined), []);
  assert.deepEqual(splitAddressList(null), []);
  assert.deepEqual(splitAddressList(''), []);
  assert.deepEqual(splitAddressList('tel:+14255550100'), ['tel:+14255550100']);
  assert.deepEqual(splitAddressList('tel:+14255550100,tel:4255550101'), ['tel:+14255550100', 'tel:4255550101']);
  assert.deepEqual(splitAddressList(' a , b ,, c '), ['a', 'b', 'c']);
  assert.deepEqual(splitAddressList(['a,b', 'c', ['d']]), ['a', 'b', 'c', 'd']);
  assert.deepEqual(splitAddressList(['', ' ']), []);
  assert.deepEqual(splitAddressList(4255550100), ['4255550100']);
  assert.deepEqual(splitAddressList(true), ['true']); // kept, so it fails as malformed
  let deep: unknown = 'tel:+14255550100';
  for (let i = 0; i < 20_000; i++) deep = [deep];
  assert.deepEqual(splitAddressList(deep), ['[nested list]']); // not a stack overflow
  assert.deepEqual(parseRecipients(deep), { ok: false, code: 'SVC0004', variables: ['Address'] });
});

test('parseRecipients accepts a valid list and keeps the callers spelling', () => {
  const r = parseRecipients(['tel:+14255550100', '4255550101', 'tel%3A%2B14255550102']);
  assert.deepEqual(r, {
    ok: true,
    recipients: [
      { e164: '+14255550100', original: 'tel:+14255550100' },
      { e164: '+14255550101', original: '4255550101' },
      { e164: '+14255550102', original: 'tel%3A%2B14255550102' },
    ],
  });
  assert.deepEqual(parseRecipients('tel:+14255550100'), { ok: true, recipients: [{ e164: '+14255550100', original: 'tel:+14255550100' }] });
  const joined = parseRecipients('tel:+14255550100,tel:4255550101');
  assert.equal(joined.ok && joined.recipients.length, 2);
});

test('parseRecipients: no, bad, short-code, email and group addresses → SVC0004 Address', () => {
  const svc0004 = { ok: false, code: 'SVC0004', variables: ['Address'] };
  assert.deepEqual(parseRecipients(undefined), svc0004);
  assert.deepEqual(parseRecipients(''), svc0004);
  assert.deepEqual(parseRecipients([]), svc0004);
  assert.deepEqual(parseRecipients(['tel:+14255550100', 'tel:123']), svc0004);
  assert.deepEqual(parseRecipients('short:22627000'), svc0004); // sending to a short code (contract §12)
  assert.deepEqual(parseRecipients('22627000'), svc0004);
  assert.deepEqual(parseRecipients('john@example.com'), svc0004);
  assert.deepEqual(parseRecipients('map:group'), svc0004); // contract §12: SVC0004, not POL0006
  assert.deepEqual(parseRecipients({ address: 'tel:+14255550100' }), svc0004);
});

test('parseRecipients: more than the limit → POL0003 Address', () => {
  assert.equal(DEFAULT_MAX_RECIPIENTS, 50);
  const numbers = Array.from({ length: 51 }, (_, i) => `tel:+1425555${String(100 + i).padStart(4, '0')}`);
  const fifty = parseRecipients(numbers.slice(0, 50));
  assert.equal(fifty.ok && fifty.recipients.length, 50);
  assert.deepEqual(parseRecipients(numbers), { ok: false, code: 'POL0003', variables: ['Address'] });
  assert.deepEqual(parseRecipients(numbers.slice(0, 3), { max: 2 }), { ok: false, code: 'POL0003', variables: ['Address'] });
  // The count is checked first: a huge list of garbage is not parsed.
  assert.deepEqual(parseRecipients(Array(51).fill('x')), { ok: false, code: 'POL0003', variables: ['Address'] });
  // Comma-joined entries count one by one.
  assert.deepEqual(parseRecipients(numbers.join(',')), { ok: false, code: 'POL0003', variables: ['Address'] });
});

test('parseRecipients: the same number twice, in any spelling → POL0013 with the duplicates', () => {
  assert.deepEqual(parseRecipients(['tel:+14255550100', '4255550100']), {
    ok: false,
    code: 'POL0013',
    variables: ['tel:+14255550100'],
  });
  assert.deepEqual(
    parseRecipients('tel:+14255550100,tel:4255550101,(425) 555-0101,14255550100,tel%3A%2B14255550100'),
    { ok: false, code: 'POL0013', variables: ['tel:+14255550100', 'tel:+14255550101'] },
  );
});
