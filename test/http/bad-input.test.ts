import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

// Bad input on the API paths gets the documented envelope of the path's flavour, never a 500.
let gw: TestGateway;
let app: TestApp;
before(async () => {
  gw = await startTestGateway({ SWITCHBOARD_BODY_LIMIT_BYTES: '4096' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627900', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

const V3 = '/sms/v3/messaging/outbox';
const ONEAPI = '/2/smsmessaging/outbound/tel%3A22627900/requests';

test('a body over the limit: 413 in the AT&T envelope, or the OneAPI one, nothing stored', async () => {
  const big = JSON.stringify({ outboundSMSRequest: { address: 'tel:+14255550100', message: 'x'.repeat(8000) } });
  const att = await gw.request('POST', V3, { headers: { ...app.auth, 'content-type': 'application/json' }, body: big });
  assert.equal(att.status, 413);
  assert.equal(att.json().RequestError.ServiceException.MessageId, 'SVC0002');
  const one = await gw.request('POST', ONEAPI, { headers: { ...app.auth, 'content-type': 'application/json' }, body: big });
  assert.equal(one.status, 413);
  assert.equal(one.json().requestError.serviceException.messageId, 'SVC0002');
  const handset = await gw.request('GET', '/sim/v1/handsets/4255550100/messages');
  assert.deepEqual(handset.json().messages, []);
});

test('malformed JSON and XML: 400 SVC0002, in XML when the client accepts XML', async () => {
  const json = await gw.request('POST', V3, { headers: { ...app.auth, 'content-type': 'application/json' }, body: '{"outboundSMSRequest":{' });
  assert.equal(json.status, 400);
  assert.equal(json.json().RequestError.ServiceException.MessageId, 'SVC0002');
  const xml = await gw.request('POST', V3, {
    headers: { ...app.auth, 'content-type': 'application/xml', accept: 'application/xml' },
    body: '<outboundSMSRequest><address>tel:+14255550100</outboundSMSRequest>',
  });
  assert.equal(xml.status, 400);
  assert.match(xml.headers.get('content-type') ?? '', /xml/);
  assert.match(xml.text, /<RequestError><ServiceException><MessageId>SVC0002<\/MessageId>/);
  assert.doesNotMatch(xml.text, /at .*\.(ts|js):\d+/);
});

test('XML nested deeper than the parser takes: 400 SVC0002 on both flavours, not a 500', async () => {
  const deep = `<junk>${'<a>'.repeat(120)}${'</a>'.repeat(120)}</junk>`;
  const att = await gw.request('POST', V3, {
    headers: { ...app.auth, 'content-type': 'application/xml' },
    body: `<outboundSMSRequest><address>tel:+14255550100</address><message>x</message>${deep}</outboundSMSRequest>`,
  });
  assert.equal(att.status, 400, att.text);
  assert.deepEqual(att.json().RequestError.ServiceException.Variables, 'Body');
  const one = await gw.request('POST', ONEAPI, {
    headers: { ...app.auth, 'content-type': 'application/xml', accept: 'application/xml' },
    body: `<outboundSMSMessageRequest><address>tel:+14255550100</address><outboundSMSTextMessage><message>x</message></outboundSMSTextMessage>${deep}</outboundSMSMessageRequest>`,
  });
  assert.equal(one.status, 400, one.text);
  assert.match(one.text, /<messageId>SVC0002<\/messageId>/);
  const handset = await gw.request('GET', '/sim/v1/handsets/4255550100/messages');
  assert.deepEqual(handset.json().messages, []);
});

test('a path the router cannot read (broken %-escape, a segment over 100 characters): the envelope of the path, in the representation asked for', async () => {
  const broken = await gw.request('GET', `${V3}/%E0%A4%A`, { headers: { ...app.auth, accept: 'application/xml' } });
  assert.equal(broken.status, 400);
  assert.match(broken.headers.get('content-type') ?? '', /xml/);
  assert.match(broken.text, /<RequestError><ServiceException><MessageId>SVC0002<\/MessageId>.*<Variables>URI<\/Variables>/);
  const long = await gw.request('GET', `${V3}/${'A'.repeat(200)}`, { headers: app.auth });
  assert.equal(long.status, 414);
  assert.equal(long.json().RequestError.ServiceException.Variables, 'URI');
  const oneapi = await gw.request('GET', `${ONEAPI}/${'A'.repeat(200)}/deliveryInfos`, { headers: app.auth });
  assert.equal(oneapi.status, 414);
  assert.deepEqual(oneapi.json().requestError.serviceException.variables, ['URI']);
});

test('a path the router cannot read: exactly application/json (or application/xml) on every surface', async () => {
  // These answers bypassed the hook that takes fastify's `; charset=utf-8` off, and the GSMA
  // reference Java library reads a body only when its type is exactly `application/json`.
  const long = 'A'.repeat(200);
  const paths = [
    [`${V3}/%zz`, 400],
    [`${V3}/${long}`, 414],
    ['/2/smsmessaging/outbound/%zz/requests', 400],
    [`/2/smsmessaging/outbound/${long}/requests`, 414],
    ['/oauth/v4/%zz', 400],
    ['/admin/v1/apps/%zz', 400],
  ] as const;
  for (const [path, status] of paths) {
    const json = await gw.request('GET', path, { headers: app.auth });
    assert.equal(json.status, status, `${path}: ${json.text}`);
    assert.equal(json.headers.get('content-type'), 'application/json', path);
    assert.doesNotThrow(() => json.json(), path);
  }
  for (const path of [`${V3}/%zz`, '/2/smsmessaging/outbound/%zz/requests']) {
    const xml = await gw.request('GET', path, { headers: { ...app.auth, accept: 'application/xml' } });
    assert.equal(xml.status, 400, path);
    assert.equal(xml.headers.get('content-type'), 'application/xml', path);
  }
});

test('media types match case-insensitively with parameters; Content-Type on a GET is ignored', async () => {
  const odd = await gw.request('POST', V3, {
    headers: { ...app.auth, 'content-type': 'Application/JSON; charset=UTF-8' },
    body: JSON.stringify({ outboundSMSRequest: { address: 'tel:+14255550101', message: 'case' } }),
  });
  assert.equal(odd.status, 201, odd.text);
  const id = odd.json().outboundSMSResponse.messageId;
  const get = await gw.request('GET', `${V3}/${id}`, { headers: { ...app.auth, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(get.status, 200, get.text);
  assert.ok(Array.isArray(get.json().DeliveryInfoList.DeliveryInfo));
});

test('another app cannot see a message: its id answers as unknown', async () => {
  const other = await createApp(gw, { shortCodes: [{ shortCode: '22627901', moDelivery: 'poll' }] });
  const sent = await gw.request('POST', V3, { headers: app.auth, body: { outboundSMSRequest: { address: 'tel:+14255550102', message: 'mine' } } });
  assert.equal(sent.status, 201, sent.text);
  const id = sent.json().outboundSMSResponse.messageId;
  const peek = await gw.request('GET', `${V3}/${id}`, { headers: other.auth });
  assert.equal(peek.status, 400);
  assert.equal(peek.json().RequestError.ServiceException.Variables, 'RequestIdentifier');
});

test('X-Arg is accepted and ignored; a trailing slash is the same path', async () => {
  const res = await gw.request('POST', `${V3}/`, {
    headers: { ...app.auth, 'x-arg': 'ClientSdk=att.worklight.4.2', 'content-type': 'application/json' },
    body: JSON.stringify({ outboundSMSRequest: { address: 'tel:+14255550103', message: 'slash' } }),
  });
  assert.equal(res.status, 201, res.text);
});
