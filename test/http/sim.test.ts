import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST, handsetMessages, handsetReceives } from './send-helpers.js';

let gw: TestGateway;
let app: TestApp;
let next = 4000;
const number = () => `+1425201${String(next++).padStart(4, '0')}`;

before(async () => {
  gw = await startTestGateway(FAST);
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627300', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

async function sendText(to: string, message: string): Promise<void> {
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: to, message } } });
  assert.equal(res.status, 201, res.text);
}

const CASES: ReadonlyArray<{ name: string; text: string; encoding: string; segments: number }> = [
  { name: 'GSM 160 characters: one part', text: 'g'.repeat(160), encoding: 'GSM7', segments: 1 },
  { name: 'GSM 161 characters: two parts', text: 'g'.repeat(161), encoding: 'GSM7', segments: 2 },
  { name: 'GSM escape pair at the 153 boundary stays whole', text: `${'a'.repeat(152)}€${'b'.repeat(10)}`, encoding: 'GSM7', segments: 2 },
  { name: 'Latin-1 where GSM does not fit: 141 characters in two parts', text: `ê${'l'.repeat(140)}`, encoding: 'LATIN1', segments: 2 },
  { name: 'UCS-2 70 characters: one part', text: 'Ж'.repeat(70), encoding: 'UCS2', segments: 1 },
  { name: 'UCS-2 71 characters: two parts', text: 'Ж'.repeat(71), encoding: 'UCS2', segments: 2 },
  { name: 'UCS-2 surrogate pair at the 67 boundary stays whole', text: `${'Ж'.repeat(66)}😀${'Ж'.repeat(10)}`, encoding: 'UCS2', segments: 2 },
  { name: 'UCS-2 at the 4096 limit: 62 parts', text: 'Ж'.repeat(4096), encoding: 'UCS2', segments: 62 },
];

for (const c of CASES) {
  test(`reassembled on the handset — ${c.name}`, async () => {
    const to = number();
    await sendText(to, c.text);
    const [mt] = await handsetReceives(gw, to);
    assert.equal(mt.text, c.text);
    assert.equal(mt.encoding, c.encoding);
    assert.equal(mt.segments, c.segments);
    assert.equal(mt.from, '22627300');
  });
}

test('two long messages to one handset at once keep their parts apart', async () => {
  const to = number();
  await Promise.all([sendText(to, `A${'1'.repeat(300)}`), sendText(to, `B${'2'.repeat(300)}`)]);
  const got = await handsetReceives(gw, to, 2);
  assert.deepEqual(got.map((m) => m.text).sort(), [`A${'1'.repeat(300)}`, `B${'2'.repeat(300)}`]);
  assert.deepEqual(got.map((m) => m.segments), [2, 2]);
});

test('handset messages come oldest first, and {number} takes every address form', async () => {
  const to = number();
  for (const text of ['first', 'second', 'third']) {
    await sendText(to, text);
    await handsetReceives(gw, to, ['first', 'second', 'third'].indexOf(text) + 1);
  }
  for (const form of [`tel%3A%2B${to.slice(1)}`, to.slice(1), to.slice(2), encodeURIComponent(`tel:${to.slice(2)}`)]) {
    const res = await gw.request('GET', `/sim/v1/handsets/${form}/messages`);
    assert.equal(res.status, 200, form);
    assert.deepEqual(res.json().messages.map((m: any) => m.text), ['first', 'second', 'third']);
  }
});

test('an unknown handset has an empty inbox; a bad number is 400 in the operator envelope', async () => {
  assert.deepEqual(await handsetMessages(gw, number()), []);
  const bad = await gw.request('GET', '/sim/v1/handsets/12/messages');
  assert.equal(bad.status, 400);
  assert.equal(bad.json().error.code, 'invalid_number');
});

test('the AT&T seed\'s sample numbers (555-555-5555, 444-555-5555, 1234567890) are handsets; anything but ten digits is not', async () => {
  assert.deepEqual(await handsetMessages(gw, '555-555-5555'), []);
  const put = await gw.request('PUT', '/sim/v1/handsets/444-555-5555', { body: { online: true } });
  assert.deepEqual(put.json(), { number: 'tel:+14445555555', online: true, kind: 'mobile' });
  const mo = await gw.request('POST', '/sim/v1/handsets/5555555555/messages', { body: { to: '22627300', text: 'from the seed' } });
  assert.equal(mo.status, 202, mo.text);
  assert.equal(mo.json().message.from, 'tel:+15555555555');
  await sendText('tel:5555555555', 'to the seed');
  assert.deepEqual((await handsetReceives(gw, 'tel:+15555555555')).map((m) => m.text), ['to the seed']);
  assert.equal((await gw.request('GET', '/sim/v1/handsets/1234567890/messages')).status, 200);
  for (const n of ['123456789', '+442079460958', '142555501000']) {
    const res = await gw.request('GET', `/sim/v1/handsets/${encodeURIComponent(n)}/messages`);
    assert.equal(res.status, 400, n);
    assert.equal(res.json().error.code, 'invalid_number');
  }
});

test('PUT /sim/v1/handsets/{number} sets online and kind, and refuses anything else', async () => {
  const to = number();
  const off = await gw.request('PUT', `/sim/v1/handsets/${to.slice(2)}`, { body: { online: false } });
  assert.deepEqual(off.json(), { number: `tel:${to}`, online: false, kind: 'mobile' });
  const landline = await gw.request('PUT', `/sim/v1/handsets/${to.slice(2)}`, { body: { kind: 'landline', online: true } });
  assert.deepEqual(landline.json(), { number: `tel:${to}`, online: true, kind: 'landline' });
  for (const body of [{}, { online: 'no' }, { kind: 'fax' }, { colour: 'red' }, []]) {
    const res = await gw.request('PUT', `/sim/v1/handsets/${to.slice(2)}`, { body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.json().error.code, 'invalid_request');
  }
});

test('POST /sim/v1/handsets/{number}/messages: the handset texts a short code (202)', async () => {
  const from = number();
  const res = await gw.request('POST', `/sim/v1/handsets/${encodeURIComponent(from)}/messages`, { body: { to: '22627300', text: 'Hello gateway' } });
  assert.equal(res.status, 202, res.text);
  const mo = res.json().message;
  assert.equal(mo.from, `tel:${from}`);
  assert.equal(mo.to, '22627300');
  assert.equal(mo.text, 'Hello gateway');
  for (const body of [{ to: 'nope', text: 'x' }, { to: '22627300', text: '' }, { to: '22627300' }]) {
    const bad = await gw.request('POST', `/sim/v1/handsets/${encodeURIComponent(from)}/messages`, { body });
    assert.equal(bad.status, 400, JSON.stringify(body));
  }
});

test('a switched-off or landline handset cannot text (409)', async () => {
  const from = number();
  await gw.request('PUT', `/sim/v1/handsets/${from.slice(2)}`, { body: { online: false } });
  const off = await gw.request('POST', `/sim/v1/handsets/${from.slice(2)}/messages`, { body: { to: '22627300', text: 'x' } });
  assert.equal(off.status, 409);
  assert.equal(off.json().error.code, 'handset_offline');
  await gw.request('PUT', `/sim/v1/handsets/${from.slice(2)}`, { body: { online: true, kind: 'landline' } });
  const landline = await gw.request('POST', `/sim/v1/handsets/${from.slice(2)}/messages`, { body: { to: '22627300', text: 'x' } });
  assert.equal(landline.status, 409);
  assert.equal(landline.json().error.code, 'not_mobile');
});

test('/sim/v1 takes JSON only: a form, XML or plain text is 415 and texts nobody', async () => {
  // From a code review: a form is the one body another site's page can post without a CORS
  // preflight, and /sim/v1 read forms, so any page open in a browser could inject MO.
  const from = number();
  const bodies: [string, string][] = [
    ['application/x-www-form-urlencoded', 'to=22627300&text=form'],
    ['application/xml', '<m><to>22627300</to><text>xml</text></m>'],
    ['text/plain', '{"to":"22627300","text":"plain"}'],
  ];
  for (const [type, body] of bodies) {
    const res = await gw.request('POST', `/sim/v1/handsets/${from.slice(2)}/messages`, { headers: { 'content-type': type }, body });
    assert.equal(res.status, 415, `${type}: ${res.text}`);
    assert.equal(res.json().error.code, 'unsupported_media_type');
    const put = await gw.request('PUT', `/sim/v1/handsets/${from.slice(2)}`, { headers: { 'content-type': type }, body: type.includes('form') ? 'online=false' : body });
    assert.equal(put.status, 415, `PUT ${type}`);
  }
  const inbox = await gw.request('GET', '/sms/v3/messaging/inbox/22627300', { headers: app.auth });
  assert.ok(!inbox.text.includes(from.slice(2)), inbox.text);
});

test('a change sent by a page of another origin is refused (403); the same origin, the CLI and reads are not', async () => {
  const from = number();
  const mo = { to: '22627300', text: 'cross-site?' };
  const foreign: Record<string, string>[] = [
    // Exactly what a browser sends for a cross-site auto-submitting form.
    { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    { origin: 'http://evil.example' },
    { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' },
    { 'sec-fetch-site': 'cross-site' },
  ];
  for (const headers of foreign) {
    const body = headers['content-type'] === undefined ? mo : new URLSearchParams(mo).toString();
    const res = await gw.request('POST', `/sim/v1/handsets/${from.slice(2)}/messages`, { headers, body });
    assert.equal(res.status, 403, `${JSON.stringify(headers)}: ${res.text}`);
    assert.equal(res.json().error.code, 'forbidden');
    assert.equal((await gw.request('PUT', `/sim/v1/handsets/${from.slice(2)}`, { headers, body: { online: false } })).status, 403, `PUT ${JSON.stringify(headers)}`);
  }
  const inbox = await gw.request('GET', '/sms/v3/messaging/inbox/22627300', { headers: app.auth });
  assert.ok(!inbox.text.includes('cross-site?'), `a page injected MO: ${inbox.text}`);

  assert.equal((await gw.request('GET', `/sim/v1/handsets/${from.slice(2)}/messages`, { headers: { origin: 'http://evil.example' } })).status, 200, 'a read (another origin cannot see the answer)');
  assert.equal((await gw.request('POST', `/sim/v1/handsets/${from.slice(2)}/messages`, { headers: { origin: gw.url, 'sec-fetch-site': 'same-origin' }, body: mo })).status, 202, 'the gateway\'s own origin (/docs)');
  assert.equal((await gw.request('POST', `/sim/v1/handsets/${from.slice(2)}/messages`, { body: mo })).status, 202, 'no browser (the CLI, scripts)');
});
