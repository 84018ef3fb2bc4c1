import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { XMLValidator } from 'fast-xml-parser';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST, FORM, XML, handsetMessages, handsetReceives } from './send-helpers.js';

const MESSAGE_ID = /^SMS[0-9a-f]{16}$/;
let gw: TestGateway;
let app: TestApp;
let next = 1000;
/** A fresh handset number per test, so tests never see each other's messages. */
const number = () => `+1425201${String(next++).padStart(4, '0')}`;

before(async () => {
  gw = await startTestGateway(FAST);
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }], deliveryStatusUrl: 'http://127.0.0.1:9/dr' });
});
after(async () => {
  await gw.close();
});

test('v3 JSON, one recipient as a bare string: 201, Location, outboundSMSResponse, on the handset', async () => {
  const to = number();
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: app.auth,
    body: { outboundSMSRequest: { address: `tel:${to}`, message: 'Hello from v3', notifyDeliveryStatus: false } },
  });
  assert.equal(res.status, 201, res.text);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = res.json();
  const id = body.outboundSMSResponse.messageId;
  assert.match(id, MESSAGE_ID);
  assert.deepEqual(Object.keys(body), ['outboundSMSResponse']);
  assert.ok(body.outboundSMSResponse.resourceReference.resourceURL.endsWith(`/sms/v3/messaging/outbox/${id}`));
  assert.equal(res.headers.get('location'), body.outboundSMSResponse.resourceReference.resourceURL);
  const [mt] = await handsetReceives(gw, to);
  assert.equal(mt.from, '22627000');
  assert.equal(mt.text, 'Hello from v3');
  assert.equal(mt.encoding, 'GSM7');
  assert.equal(mt.segments, 1);
  assert.match(mt.receivedAt, /^\d{4}-\d\d-\d\dT/);
});

test('v3 JSON, array of recipients in several spellings: each handset gets it once', async () => {
  const [a, b, c] = [number(), number(), number()];
  const spell = [`tel:${a.slice(2)}`, b, `tel%3A%2B${c.slice(1)}`];
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: spell, message: 'to three' } } });
  assert.equal(res.status, 201, res.text);
  for (const n of [a, b, c]) assert.deepEqual((await handsetReceives(gw, n)).map((m) => m.text), ['to three']);
});

test('v3 XML: lower-case "Sms" root element, comma-joined addresses, XML answer', async () => {
  const [a, b] = [number(), number()];
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, ...XML },
    body: `<?xml version="1.0"?><outboundSmsRequest><Address>tel:${a},tel:${b.slice(2)}</Address><MESSAGE>Test XML</MESSAGE><notifyDeliveryStatus>false</notifyDeliveryStatus></outboundSmsRequest>`,
  });
  assert.equal(res.status, 201, res.text);
  assert.match(res.headers.get('content-type') ?? '', /application\/xml/);
  assert.match(res.text, /^<\?xml version="1.0" encoding="UTF-8"\?><outboundSMSResponse><messageId>SMS[0-9a-f]{16}<\/messageId><resourceReference><resourceURL>http:\/\/[^<]+\/sms\/v3\/messaging\/outbox\/SMS[0-9a-f]{16}<\/resourceURL><\/resourceReference><\/outboundSMSResponse>$/);
  await handsetReceives(gw, a);
  await handsetReceives(gw, b);
});

test('v3 form body: repeated address keys and notifyDeliveryStatus=false', async () => {
  const [a, b] = [number(), number()];
  const form = new URLSearchParams();
  form.append('address', `tel:${a}`);
  form.append('address', `tel:${b}`);
  form.append('message', 'Hello there');
  form.append('notifyDeliveryStatus', 'false');
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: { ...app.auth, ...FORM }, body: form.toString() });
  assert.equal(res.status, 201, res.text);
  assert.match(res.json().outboundSMSResponse.messageId, MESSAGE_ID);
  await handsetReceives(gw, a);
  await handsetReceives(gw, b);
});

test("PHP's and Rails' form arrays: `Address[N]` in index order and `address[]`, on v3, v2 and OneAPI (they were 400 SVC0004); other bracketed names are ignored as any unknown field", async () => {
  const [a, b, c, d, e, f] = [number(), number(), number(), number(), number(), number()];
  // PHP's http_build_query(['Address' => [...], 'Message' => ...]), indexes sent out of order.
  const php = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, ...FORM },
    body: `Address%5B1%5D=${encodeURIComponent(`tel:${b}`)}&Address%5B0%5D=${encodeURIComponent(`tel:${a}`)}&Message=php&Other%5B0%5D=x`,
  });
  assert.equal(php.status, 201, php.text);
  const status = await gw.request('GET', `/sms/v3/messaging/outbox/${php.json().outboundSMSResponse.messageId}`, { headers: app.auth });
  assert.deepEqual(status.json().DeliveryInfoList.DeliveryInfo.map((i: { Address: string }) => i.Address), [`tel:${a}`, `tel:${b}`]);
  // jQuery's $.param and Rails' to_query: `address[]` repeated.
  const rails = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: { ...app.auth, ...FORM }, body: `address%5B%5D=${encodeURIComponent(c)}&address[]=${encodeURIComponent(d)}&message=rails` });
  assert.equal(rails.status, 200, rails.text);
  const oneapi = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/requests', {
    headers: { ...app.auth, ...FORM },
    body: `senderAddress=tel%3A22627000&address%5B0%5D=${encodeURIComponent(`tel:${e}`)}&address%5B1%5D=${encodeURIComponent(`tel:${f}`)}&message=oneapi`,
  });
  assert.equal(oneapi.status, 201, oneapi.text);
  for (const [n, text] of [[a, 'php'], [b, 'php'], [c, 'rails'], [d, 'rails'], [e, 'oneapi'], [f, 'oneapi']] as const) assert.equal((await handsetReceives(gw, n))[0].text, text);
});

test('v3 with a trailing slash, the token in the query string and odd Content-Type case', async () => {
  const to = number();
  const res = await gw.request('POST', `/sms/v3/messaging/outbox/?access_token=${app.token}`, {
    headers: { 'content-type': 'application/JSON; charset=UTF-8' },
    body: JSON.stringify({ outboundSMSRequest: { address: `tel:${to}`, message: 'slash' } }),
  });
  assert.equal(res.status, 201, res.text);
  await handsetReceives(gw, to);
});

test('v3 message already URL-encoded by the Ruby codekit is delivered as received', async () => {
  const to = number();
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: to, message: 'Hello+world%21' } } });
  assert.equal(res.status, 201, res.text);
  assert.equal((await handsetReceives(gw, to))[0].text, 'Hello+world%21');
});

test('the AT&T seed\'s samples: Java/PHP send to 5555555555, Ruby to "555-555-5555,444-555-5555" (they were 400 SVC0004)', async () => {
  // On the wire: the Java codekit's formatAddresses makes `tel:5555555555`; the Ruby codekit's
  // format_addresses `tel:5555555555` and `tel:4445555555`; the sample's string as written, joined.
  const bodies = [
    { outboundSMSRequest: { address: 'tel:5555555555', message: 'msg', notifyDeliveryStatus: false } },
    { outboundSMSRequest: { address: ['tel:5555555555', 'tel:4445555555'], message: "Message from att's codekit sms example" } },
    { outboundSMSRequest: { address: '555-555-5555,444-555-5555', message: 'as written' } },
  ];
  for (const body of bodies) {
    const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body });
    assert.equal(res.status, 201, res.text);
  }
  assert.deepEqual((await handsetReceives(gw, '5555555555', 3)).map((m) => m.text).sort(), ["Message from att's codekit sms example", 'as written', 'msg']);
  assert.deepEqual((await handsetReceives(gw, '444-555-5555', 2)).map((m) => m.text).sort(), ["Message from att's codekit sms example", 'as written']);
});

test('the seed\'s curl samples: a token with a stray refresh_token; v2 Send SMS to tel:1234567890 (twice: POL0013, once: sent)', async () => {
  const token = await gw.request('POST', '/oauth/v4/token', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: `client_id=${app.appKey}&client_secret=${app.appSecret}&scope=SMS&grant_type=client_credentials&refresh_token={{REFRESH_TOKEN}}`,
  });
  assert.equal(token.status, 200, token.text);
  const send = (body: string) =>
    gw.request('POST', '/rest/sms/2/messaging/outbox', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.json().access_token}`, accept: 'application/json' },
      body,
    });
  // As written, the same number twice: AT&T's documented duplicate refusal, not an address error.
  const twice = await send('{"Message":"SMS Message Text","Address":["tel:1234567890","tel:1234567890"]}');
  assert.equal(twice.status, 400, twice.text);
  assert.equal(twice.json().RequestError.PolicyException.MessageId, 'POL0013');
  const once = await send('{"Message":"SMS Message Text","Address":["tel:1234567890"]}');
  assert.equal(once.status, 200, once.text); // v2 answers 200 (design.md)
  assert.match(once.json().Id, MESSAGE_ID);
  assert.deepEqual((await handsetReceives(gw, 'tel:+11234567890')).map((m) => m.text), ['SMS Message Text']);
});

test('v3 notifyDeliveryStatus "true" (a string): no resource in the answer, status not pollable', async () => {
  const to = number();
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: app.auth,
    body: { outboundSMSRequest: { address: [`tel:${to}`], message: 'tell me', notifyDeliveryStatus: 'true' } },
  });
  assert.equal(res.status, 201, res.text);
  const body = res.json();
  assert.deepEqual(Object.keys(body.outboundSMSResponse), ['messageId']);
  assert.equal(res.headers.get('location'), null);
  await handsetReceives(gw, to);
  const status = await gw.request('GET', `/sms/v3/messaging/outbox/${body.outboundSMSResponse.messageId}`, { headers: app.auth });
  assert.equal(status.status, 400);
  assert.equal(status.json().RequestError.ServiceException.Variables, 'RequestIdentifier');
});

test('v2 JSON: PascalCase Address/Message, answer 200 with Id + ResourceReference in both spellings, in plain application/json', async () => {
  const to = number();
  const res = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: app.auth, body: { Address: [`tel:${to.slice(2)}`], Message: 'v2 hello' } });
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assert.match(body.Id, MESSAGE_ID);
  assert.ok(body.ResourceReference.ResourceURL.endsWith(`/rest/sms/2/messaging/outbox/${body.Id}`));
  // The v2 doc's and AT&T's WinRT SDK's spelling too (its JSON reader matches names exactly).
  assert.equal(body.ResourceReference.ResourceUrl, body.ResourceReference.ResourceURL);
  // Exactly, as the GSMA reference Java library compares it; JSON has no charset parameter.
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(res.headers.get('location'), body.ResourceReference.ResourceURL);
  assert.equal((await handsetReceives(gw, to))[0].text, 'v2 hello');
});

test("v2 JSON: also `resourceReference.resourceURL`, the seed's SMS Response Object's names, for a case-sensitive client of it", async () => {
  const res = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: app.auth, body: { Address: `tel:${number()}`, Message: 'v2 seed names' } });
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  // The seed's "SMS Response Object Parameters": `Id`, `resourceReference` with the child `resourceURL`.
  assert.equal(body.resourceReference.resourceURL, body.ResourceReference.ResourceURL);
  assert.equal(res.headers.get('location'), body.resourceReference.resourceURL);
  assert.deepEqual(Object.keys(body), ['Id', 'ResourceReference', 'resourceReference']);
});

test('`Location` is spelled so on the wire: the GSMA reference PHP library looks for `Location:` case-sensitively', async () => {
  const body = `senderAddress=tel%3A22627000&address=${encodeURIComponent(`tel:${number()}`)}&message=php`;
  const rawHeaders = await new Promise<string[]>((resolve, reject) => {
    const req = httpRequest(`${gw.url}/1/smsmessaging/outbound/tel%3A22627000/requests`, {
      method: 'POST',
      headers: { ...app.auth, 'content-type': 'application/x-www-form-urlencoded' },
    });
    req.on('response', (res) => {
      res.resume();
      assert.equal(res.statusCode, 201);
      resolve(res.rawHeaders);
    });
    req.on('error', reject);
    req.end(body);
  });
  const names = rawHeaders.filter((_, i) => i % 2 === 0);
  assert.ok(names.includes('Location'), names.join(', '));
  assert.ok(!names.includes('location'), names.join(', '));
});

test('v2 single-quoted pseudo-JSON of the 2012 C# sample', async () => {
  const to = number();
  const res = await gw.request('POST', '/rest/sms/2/messaging/outbox', {
    headers: { ...app.auth, 'content-type': 'application/json' },
    body: `{'Address':'tel:${to.slice(2)}','Message':'hi'}`,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal((await handsetReceives(gw, to))[0].text, 'hi');
});

test('v2 lower-case keys without wrapper, and the mixed-case outBoundSMSRequest wrapper', async () => {
  const [a, b] = [number(), number()];
  const bare = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: app.auth, body: { address: `tel:${a}`, message: 'bare' } });
  assert.equal(bare.status, 200, bare.text);
  const wrapped = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: app.auth, body: { outBoundSMSRequest: { Address: `tel:${b}`, Message: 'wrapped' } } });
  assert.equal(wrapped.status, 200, wrapped.text);
  assert.equal((await handsetReceives(gw, a))[0].text, 'bare');
  assert.equal((await handsetReceives(gw, b))[0].text, 'wrapped');
});

test('v2 XML and v2 form with an unencoded colon', async () => {
  const [a, b] = [number(), number()];
  const xml = await gw.request('POST', '/rest/sms/2/messaging/outbox', {
    headers: { ...app.auth, ...XML },
    body: `<outboundSMSRequest><address>tel:${a}</address><message>v2 xml</message></outboundSMSRequest>`,
  });
  assert.equal(xml.status, 200, xml.text);
  // One root, as every XML reader needs: v2's body has none of its own.
  assert.equal(XMLValidator.validate(xml.text), true, xml.text);
  assert.match(
    xml.text,
    /^<\?xml[^>]*\?><SmsResponse><Id>SMS[0-9a-f]{16}<\/Id><ResourceReference><ResourceURL>[^<]+<\/ResourceURL><ResourceUrl>[^<]+<\/ResourceUrl><\/ResourceReference><resourceReference><resourceURL>[^<]+<\/resourceURL><\/resourceReference><\/SmsResponse>$/,
  );
  const notified = await gw.request('POST', '/rest/sms/2/messaging/outbox', {
    headers: { ...app.auth, ...XML },
    body: `<outboundSMSRequest><address>tel:${number()}</address><message>v2 xml</message><notifyDeliveryStatus>true</notifyDeliveryStatus></outboundSMSRequest>`,
  });
  assert.equal(notified.status, 200, notified.text);
  assert.match(notified.text, /^<\?xml[^>]*\?><SmsResponse><Id>SMS[0-9a-f]{16}<\/Id><\/SmsResponse>$/);
  const form = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: { ...app.auth, ...FORM }, body: `Address=tel:${b.slice(2)}&Message=v2+form` });
  assert.equal(form.status, 200, form.text);
  assert.equal((await handsetReceives(gw, a))[0].text, 'v2 xml');
  assert.equal((await handsetReceives(gw, b))[0].text, 'v2 form');
});

test('an XML message keeps its spaces and line ends, as a JSON one does; pretty-printed XML reads like compact', async () => {
  const to = number();
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, ...XML },
    body: `<outboundSMSRequest>\n  <address>\n    tel:${to}\n  </address>\n  <message>  two  spaces\nline2\n</message>\n</outboundSMSRequest>\n`,
  });
  assert.equal(res.status, 201, res.text);
  assert.equal((await handsetReceives(gw, to))[0].text, '  two  spaces\nline2\n');
});

test('Latin-1 clients: a declared charset, an XML declaration or undeclared Latin-1 bytes reach the handset as sent; an unknown charset is 415', async () => {
  const post = (contentType: string, body: Buffer) =>
    fetch(`${gw.url}/sms/v3/messaging/outbox`, { method: 'POST', headers: { ...app.auth, 'content-type': contentType }, body });
  const latin1 = (s: string) => Buffer.from(s, 'latin1');
  const cases = [
    { type: 'application/x-www-form-urlencoded; charset=ISO-8859-1', body: (to: string) => latin1(`address=tel%3A${encodeURIComponent(to)}&message=caf%E9+na%EFve`) },
    { type: 'application/x-www-form-urlencoded', body: (to: string) => latin1(`address=tel%3A${encodeURIComponent(to)}&message=caf%E9+na%EFve`) },
    { type: 'application/json; charset=iso-8859-1', body: (to: string) => latin1(`{"outboundSMSRequest":{"address":"tel:${to}","message":"caf\xe9 na\xefve"}}`) },
    { type: 'application/xml', body: (to: string) => latin1(`<?xml version="1.0" encoding="ISO-8859-1"?><outboundSMSRequest><address>tel:${to}</address><message>caf\xe9 na\xefve</message></outboundSMSRequest>`) },
  ];
  for (const c of cases) {
    const to = number();
    const res = await post(c.type, c.body(to));
    assert.equal(res.status, 201, `${c.type}: ${await res.text()}`);
    const [mt] = await handsetReceives(gw, to);
    assert.equal(mt.text, 'café naïve', c.type);
  }
  const refused = await post('application/json; charset=x-martian', latin1(`{"outboundSMSRequest":{"address":"tel:${number()}","message":"hi"}}`));
  assert.equal(refused.status, 415);
  assert.equal(((await refused.json()) as { RequestError: { PolicyException: { MessageId: string } } }).RequestError.PolicyException.MessageId, 'POL0011');
});

test('Windows clients: bytes 0x80–0x9F are windows-1252 (€, curly quotes), declared as windows-1252, cp1252 or Latin-1, or undeclared, as browsers read them (Node decoded C1 controls)', async () => {
  const post = (contentType: string, body: Buffer) =>
    fetch(`${gw.url}/sms/v3/messaging/outbox`, { method: 'POST', headers: { ...app.auth, 'content-type': contentType }, body });
  const cp1252 = (s: string) => Buffer.from(s, 'latin1');
  const cases = [
    { type: 'application/x-www-form-urlencoded; charset=windows-1252', body: (to: string) => cp1252(`address=tel%3A${encodeURIComponent(to)}&message=%80uro%20%93quoted%94`) },
    { type: 'application/json; charset=windows-1252', body: (to: string) => cp1252(`{"outboundSMSRequest":{"address":"tel:${to}","message":"\x80uro \x93quoted\x94"}}`) },
    { type: 'application/json; charset=cp1252', body: (to: string) => cp1252(`{"outboundSMSRequest":{"address":"tel:${to}","message":"\x80uro \x93quoted\x94"}}`) },
    { type: 'application/x-www-form-urlencoded; charset=ISO-8859-1', body: (to: string) => cp1252(`address=tel%3A${encodeURIComponent(to)}&message=%80uro%20%93quoted%94`) },
    { type: 'application/json', body: (to: string) => cp1252(`{"outboundSMSRequest":{"address":"tel:${to}","message":"\x80uro \x93quoted\x94"}}`) },
    { type: 'application/xml', body: (to: string) => cp1252(`<?xml version="1.0" encoding="windows-1252"?><outboundSMSRequest><address>tel:${to}</address><message>\x80uro \x93quoted\x94</message></outboundSMSRequest>`) },
  ];
  for (const c of cases) {
    const to = number();
    const res = await post(c.type, c.body(to));
    assert.equal(res.status, 201, `${c.type}: ${await res.text()}`);
    const [mt] = await handsetReceives(gw, to);
    assert.equal(mt.text, '€uro “quoted”', c.type);
  }
});

test('a compressed body is 415 POL0011, in the envelope (it was read as text and called malformed, 400 SVC0002); identity is a body as any', async () => {
  const body = (to: string) => JSON.stringify({ outboundSMSRequest: { address: `tel:${to}`, message: 'packed' } });
  const gzipped = await fetch(`${gw.url}/sms/v3/messaging/outbox`, {
    method: 'POST',
    headers: { ...app.auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(body(number())),
  });
  assert.equal(gzipped.status, 415);
  assert.equal(((await gzipped.json()) as { RequestError: { PolicyException: { MessageId: string } } }).RequestError.PolicyException.MessageId, 'POL0011');
  const to = number();
  const plain = await fetch(`${gw.url}/sms/v3/messaging/outbox`, { method: 'POST', headers: { ...app.auth, 'content-type': 'application/json', 'content-encoding': 'identity' }, body: body(to) });
  assert.equal(plain.status, 201, await plain.text());
  assert.equal((await handsetReceives(gw, to))[0].text, 'packed');
});

test('Accept with qualities: the representation the client prefers, not the first one it names', async () => {
  for (const [accept, type] of [
    ['application/xml;q=0.1, application/json', /application\/json/],
    ['application/json;q=0.5, text/xml', /application\/xml/],
  ] as const) {
    const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: { ...app.auth, accept }, body: { outboundSMSRequest: { address: `tel:${number()}`, message: 'q' } } });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type') ?? '', type, accept);
  }
});

test("AT&T's Ruby codekit: rest-client 1.x's `Accept: */*; q=0.5, application/xml` is answered JSON, as it parses every answer (it was XML)", async () => {
  const ruby = '*/*; q=0.5, application/xml';
  const sent = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, accept: ruby },
    body: { outboundSMSRequest: { address: [`tel:${number()}`, `tel:${number()}`], message: 'hi', notifyDeliveryStatus: false } },
  });
  assert.equal(sent.status, 201, sent.text);
  assert.equal(sent.headers.get('content-type'), 'application/json');
  assert.match(sent.json().outboundSMSResponse.messageId, MESSAGE_ID);
  // Errors follow the same rule.
  const refused = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: { ...app.auth, accept: ruby }, body: { outboundSMSRequest: { message: 'no address' } } });
  assert.equal(refused.status, 400, refused.text);
  assert.equal(refused.headers.get('content-type'), 'application/json');
  assert.ok(refused.json().RequestError, refused.text);
  // XML still when it is asked for without a wildcard that takes JSON.
  for (const [accept, type] of [
    ['application/*;q=0.1, application/xml', 'application/json'],
    ['application/xml, */*;q=0', 'application/xml'],
    ['text/xml;q=0.5, text/html', 'application/xml'],
  ] as const) {
    const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: { ...app.auth, accept }, body: { outboundSMSRequest: { address: `tel:${number()}`, message: 'q' } } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('content-type'), type, accept);
  }
});

test("AT&T's Ruby codekit: `payload.to_json` posted as a form (Net::HTTP's label for a body without a Content-Type) is read as JSON, an XML document as XML (they were 400 SVC0002)", async () => {
  const [a, b, c, d] = [number(), number(), number(), number()];
  const v3 = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, ...FORM },
    body: JSON.stringify({ outboundSMSRequest: { address: [`tel:${a}`], message: 'hi', notifyDeliveryStatus: false } }),
  });
  assert.equal(v3.status, 201, v3.text);
  // After a byte order mark and whitespace too.
  const v2 = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: { ...app.auth, ...FORM }, body: `\uFEFF\r\n  {"Address":"tel:${b}","Message":"v2 json form"}` });
  assert.equal(v2.status, 200, v2.text);
  const xml = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, ...FORM },
    body: `<?xml version="1.0"?><outboundSMSRequest><address>tel:${c}</address><message>xml form</message></outboundSMSRequest>`,
  });
  assert.equal(xml.status, 201, xml.text);
  const oneapi = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/requests', {
    headers: { ...app.auth, ...FORM },
    body: JSON.stringify({ outboundSMSMessageRequest: { address: [`tel:${d}`], senderAddress: 'tel:22627000', outboundSMSTextMessage: { message: 'oneapi json form' } } }),
  });
  assert.equal(oneapi.status, 201, oneapi.text);
  assert.equal((await handsetReceives(gw, a))[0].text, 'hi');
  assert.equal((await handsetReceives(gw, b))[0].text, 'v2 json form');
  assert.equal((await handsetReceives(gw, c))[0].text, 'xml form');
  assert.equal((await handsetReceives(gw, d))[0].text, 'oneapi json form');
  // The XML parser's refusals come with it.
  const doctype = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, ...FORM },
    body: `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><outboundSMSRequest><address>tel:${number()}</address><message>&x;</message></outboundSMSRequest>`,
  });
  assert.equal(doctype.status, 400, doctype.text);
  assert.deepEqual(doctype.json().RequestError.ServiceException.Variables, 'DOCTYPE');
  // /oauth takes forms only: a JSON body labelled as a form is not read as JSON there.
  const oauth = await gw.request('POST', '/oauth/v4/token', {
    headers: FORM,
    body: JSON.stringify({ client_id: app.appKey, client_secret: app.appSecret, grant_type: 'client_credentials', scope: 'SMS' }),
  });
  assert.equal(oauth.status, 400, oauth.text);
});

test("fetch()'s default `text/plain;charset=UTF-8`: a JSON or XML document is read as one, as a form's is; other text is still 400 SVC0002 (they were 400 naming the wrapper they held)", async () => {
  const TEXT = { 'content-type': 'text/plain;charset=UTF-8' };
  const [a, b, c] = [number(), number(), number()];
  const v3 = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, ...TEXT },
    body: JSON.stringify({ outboundSMSRequest: { address: `tel:${a}`, message: 'from fetch' } }),
  });
  assert.equal(v3.status, 201, v3.text);
  const xml = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: { ...app.auth, ...TEXT }, body: `<outboundSMSRequest><address>tel:${b}</address><message>v2 xml text</message></outboundSMSRequest>` });
  assert.equal(xml.status, 200, xml.text);
  const oneapi = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/requests', {
    headers: { ...app.auth, ...TEXT },
    body: JSON.stringify({ outboundSMSMessageRequest: { address: [`tel:${c}`], outboundSMSTextMessage: { message: 'oneapi from fetch' } } }),
  });
  assert.equal(oneapi.status, 201, oneapi.text);
  assert.equal((await handsetReceives(gw, a))[0].text, 'from fetch');
  assert.equal((await handsetReceives(gw, b))[0].text, 'v2 xml text');
  assert.equal((await handsetReceives(gw, c))[0].text, 'oneapi from fetch');
  const prose = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/requests', { headers: { ...app.auth, ...TEXT }, body: 'send hi to 4255550100' });
  assert.equal(prose.status, 400, prose.text);
  assert.equal(prose.json().requestError.serviceException.messageId, 'SVC0002');
});

test('OneAPI /2 JSON: 201, resourceReference, Location with the sender as tel%3A…', async () => {
  const to = number();
  const res = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/requests', {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: [`tel:${to}`], senderAddress: 'tel:22627000', outboundSMSTextMessage: { message: 'Hello World' }, senderName: 'ACME' } },
  });
  assert.equal(res.status, 201, res.text);
  const url = res.json().resourceReference.resourceURL;
  assert.match(url, /\/2\/smsmessaging\/outbound\/tel%3A22627000\/requests\/SMS[0-9a-f]{16}$/);
  assert.equal(res.headers.get('location'), url);
  assert.equal((await handsetReceives(gw, to))[0].from, '22627000');
});

test('OneAPI /1 flat form body of the GSMA libraries, sender as bare digits in the path', async () => {
  const [a, b] = [number(), number()];
  const form = new URLSearchParams({ senderAddress: 'tel:22627000', message: 'gsma form', clientCorrelator: 'form-1', senderName: 'x' });
  form.append('address', `tel:${a}`);
  form.append('address', `tel:${b}`);
  const res = await gw.request('POST', '/1/smsmessaging/outbound/22627000/requests', { headers: { ...app.auth, ...FORM }, body: form.toString() });
  assert.equal(res.status, 201, res.text);
  assert.match(res.json().resourceReference.resourceURL, /\/1\/smsmessaging\/outbound\/tel%3A22627000\/requests\/SMS/);
  await handsetReceives(gw, a);
  await handsetReceives(gw, b);
});

test('OneAPI from the GSMA reference Java library: its endpoint template unfilled, `{senderAddress}` and all, the sender in the form', async () => {
  const to = number();
  const form = new URLSearchParams({ senderAddress: 'tel:22627000', address: `tel:${to}`, message: 'from the template' });
  for (const path of ['/1/smsmessaging/outbound/{senderAddress}/requests', '/1/smsmessaging/outbound/%7BsenderAddress%7D/requests']) {
    const res = await gw.request('POST', path, { headers: { ...app.auth, ...FORM }, body: form.toString() });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('content-type'), 'application/json', 'exactly, as that library compares it');
    assert.match(res.headers.get('location') ?? '', /\/1\/smsmessaging\/outbound\/tel%3A22627000\/requests\/SMS/);
  }
  const received = await handsetReceives(gw, to, 2);
  assert.deepEqual(received.map((m) => [m.from, m.text]), [['22627000', 'from the template'], ['22627000', 'from the template']]);
});

test('OneAPI /3 echoes the request with deliveryInfoList (MessageWaiting) and resourceURL', async () => {
  const to = number();
  const request = {
    address: [`tel:${to}`],
    senderAddress: 'tel:22627000',
    outboundSMSTextMessage: { message: 'echo me' },
    clientCorrelator: 'echo-1',
    receiptRequest: { notifyURL: 'http://127.0.0.1:9/dr', callbackData: 'cb' },
  };
  const res = await gw.request('POST', '/3/smsmessaging/outbound/tel%3A%2B22627000/requests', { headers: app.auth, body: { outboundSMSMessageRequest: request } });
  assert.equal(res.status, 201, res.text);
  const echo = res.json().outboundSMSMessageRequest;
  assert.deepEqual(echo.address, request.address);
  assert.equal(echo.senderAddress, 'tel:22627000');
  assert.deepEqual(echo.outboundSMSTextMessage, { message: 'echo me' });
  assert.equal(echo.clientCorrelator, 'echo-1');
  assert.deepEqual(echo.receiptRequest, request.receiptRequest);
  assert.deepEqual(echo.deliveryInfoList.deliveryInfo, [{ address: `tel:${to}`, deliveryStatus: 'MessageWaiting' }]);
  assert.equal(echo.deliveryInfoList.resourceURL, `${echo.resourceURL}/deliveryInfos`);
  assert.equal(res.headers.get('location'), echo.resourceURL);
  await handsetReceives(gw, to);
});

test('JSON answers are ASCII: other characters go as \\u escapes (AT&T\'s sample listeners decode bodies as ASCII, Java servlets as ISO-8859-1)', async () => {
  const to = number();
  const text = 'Olá señor ✓ 😀';
  const request = { address: [`tel:${to}`], outboundSMSTextMessage: { message: text } };
  const res = await gw.request('POST', '/3/smsmessaging/outbound/tel%3A22627000/requests', { headers: app.auth, body: { outboundSMSMessageRequest: request } });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.doesNotMatch(res.text, /[\u0080-\uffff]/, 'every byte ASCII');
  assert.match(res.text, /Ol\\u00e1 se\\u00f1or \\u2713 \\ud83d\\ude00/);
  assert.equal(res.json().outboundSMSMessageRequest.outboundSMSTextMessage.message, text);
  await handsetReceives(gw, to);
});

test('OneAPI callbackData without a notifyURL (or an empty receiptRequest): 201, no receipt requested, the callbackData ignored', async () => {
  // Both are optional in contract §8; each of these was 400 SVC0002 notifyURL.
  const to = number();
  const form = `address=tel%3A%2B${to.slice(1)}&message=hi&callbackData=abc`;
  const flat = await gw.request('POST', '/1/smsmessaging/outbound/tel%3A%2B22627000/requests', { headers: { ...app.auth, ...FORM }, body: form });
  assert.equal(flat.status, 201, flat.text);
  const bodies = [{ receiptRequest: { callbackData: 'abc' } }, { receiptRequest: {} }, { callbackData: 'abc' }];
  for (const extra of bodies) {
    const res = await gw.request('POST', '/3/smsmessaging/outbound/tel%3A22627000/requests', {
      headers: app.auth,
      body: { outboundSMSMessageRequest: { address: `tel:${to}`, outboundSMSTextMessage: { message: 'hi' }, ...extra } },
    });
    assert.equal(res.status, 201, `${JSON.stringify(extra)}: ${res.text}`);
    // The echo of /3 says what was asked for: no receiptRequest.
    assert.equal(res.json().outboundSMSMessageRequest.receiptRequest, undefined, JSON.stringify(extra));
  }
  assert.equal((await handsetReceives(gw, to, 4)).length, 4);
});

test('OneAPI XML body and answer', async () => {
  const to = number();
  const res = await gw.request('POST', '/2/smsmessaging/outbound/tel:22627000/requests', {
    headers: { ...app.auth, ...XML },
    body: `<outboundSMSMessageRequest><address>tel:${to}</address><senderAddress>tel:22627000</senderAddress><outboundSMSTextMessage><message>xml oneapi</message></outboundSMSTextMessage></outboundSMSMessageRequest>`,
  });
  assert.equal(res.status, 201, res.text);
  assert.match(res.text, /<resourceReference><resourceURL>http:\/\/[^<]+\/2\/smsmessaging\/outbound\/tel%3A22627000\/requests\/SMS[0-9a-f]{16}<\/resourceURL><\/resourceReference>/);
  assert.equal((await handsetReceives(gw, to))[0].text, 'xml oneapi');
  const oma = number();
  const prefixed = await gw.request('POST', '/3/smsmessaging/outbound/tel:22627000/requests', {
    headers: { ...app.auth, ...XML },
    body: `<sms:outboundSMSMessageRequest xmlns:sms="urn:oma:xml:rest:netapi:sms:1"><sms:address>tel:${oma}</sms:address><sms:senderAddress>tel:22627000</sms:senderAddress><sms:outboundSMSTextMessage><sms:message>oma xml</sms:message></sms:outboundSMSTextMessage></sms:outboundSMSMessageRequest>`,
  });
  assert.equal(prefixed.status, 201, prefixed.text);
  assert.equal((await handsetReceives(gw, oma))[0].text, 'oma xml');
});

test('Idempotency-Key: a repeat gets the same answer and sends nothing more; another body is 409', async () => {
  const to = number();
  const send = (message: string) =>
    gw.request('POST', '/sms/v3/messaging/outbox', { headers: { ...app.auth, 'idempotency-key': 'key-1' }, body: { outboundSMSRequest: { address: to, message } } });
  const first = await send('once');
  assert.equal(first.status, 201, first.text);
  const again = await send('once');
  assert.equal(again.status, 201);
  assert.equal(again.text, first.text);
  assert.equal(again.headers.get('location'), first.headers.get('location'));
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const other = await send('twice');
  assert.equal(other.status, 409);
  assert.equal(other.json().RequestError.ServiceException.MessageId, 'SVC0005');
  await handsetReceives(gw, to);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await handsetMessages(gw, to)).length, 1);
});

test('Idempotency-Key: concurrent requests with one key make one message', async () => {
  const to = number();
  const results = await Promise.all(
    Array.from({ length: 12 }, () =>
      gw.request('POST', '/2/smsmessaging/outbound/22627000/requests', {
        headers: { ...app.auth, 'idempotency-key': 'race-1' },
        body: { outboundSMSMessageRequest: { address: to, outboundSMSTextMessage: { message: 'race' } } },
      }),
    ),
  );
  for (const r of results) assert.equal(r.status, 201, r.text);
  assert.equal(new Set(results.map((r) => r.json().resourceReference.resourceURL)).size, 1);
  await handsetReceives(gw, to);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await handsetMessages(gw, to)).length, 1);
});

test('OneAPI clientCorrelator: a repeat returns the original resource; another request is 409 SVC0005', async () => {
  const [a, b] = [number(), number()];
  const send = (to: string) =>
    gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/requests', {
      headers: app.auth,
      body: { outboundSMSMessageRequest: { address: [`tel:${to}`], outboundSMSTextMessage: { message: 'corr' }, clientCorrelator: 'corr-42' } },
    });
  const first = await send(a);
  assert.equal(first.status, 201, first.text);
  const repeat = await send(a);
  assert.equal(repeat.status, 201);
  assert.deepEqual(repeat.json(), first.json());
  const clash = await send(b);
  assert.equal(clash.status, 409);
  assert.deepEqual(clash.json(), {
    requestError: { serviceException: { messageId: 'SVC0005', text: 'Correlator %1 specified in message part %2 is a duplicate', variables: ['corr-42', 'clientCorrelator'] } },
  });
  await handsetReceives(gw, a);
  assert.equal((await handsetMessages(gw, b)).length, 0);
});

test('the same clientCorrelator in two apps makes two messages', async () => {
  const other = await createApp(gw, { shortCodes: [{ shortCode: '22627001', moDelivery: 'poll' }] });
  const to = number();
  for (const [who, code] of [[app, '22627000'], [other, '22627001']] as const) {
    const res = await gw.request('POST', `/2/smsmessaging/outbound/${code}/requests`, {
      headers: who.auth,
      body: { outboundSMSMessageRequest: { address: to, outboundSMSTextMessage: { message: `from ${code}` }, clientCorrelator: 'shared' } },
    });
    assert.equal(res.status, 201, res.text);
  }
  const got = await handsetReceives(gw, to, 2);
  assert.deepEqual(got.map((m) => m.from).sort(), ['22627000', '22627001']);
});
