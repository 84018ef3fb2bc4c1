import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, TEST_STORE, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

test('GET /healthz answers 200 with the store and network up', async () => {
  const res = await gw.request('GET', '/healthz');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { status: 'ok', store: 'up', network: 'up', engine: TEST_STORE });
});

test('unknown AT&T path: 404 in the PascalCase envelope', async () => {
  const res = await gw.request('GET', '/sms/v3/messaging/nowhere');
  assert.equal(res.status, 404);
  assert.deepEqual(res.json(), {
    RequestError: { ServiceException: { MessageId: 'SVC0002', Text: 'Invalid input value for message part %1', Variables: 'URI' } },
  });
});

test('unknown OneAPI path: 404 in the lower-camel envelope, XML when asked', async () => {
  const json = await gw.request('GET', '/2/smsmessaging/nowhere');
  assert.equal(json.status, 404);
  assert.deepEqual(json.json(), {
    requestError: { serviceException: { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: ['URI'] } },
  });
  const xml = await gw.request('GET', '/2/smsmessaging/nowhere', { headers: { accept: 'application/xml' } });
  assert.equal(xml.status, 404);
  assert.match(xml.headers.get('content-type') ?? '', /application\/xml/);
  assert.match(xml.text, /<requestError><serviceException><messageId>SVC0002<\/messageId>/);
});

test('wrong method on a known path: 405 with Allow', async () => {
  const res = await gw.request('DELETE', '/healthz');
  assert.equal(res.status, 405);
  assert.match(res.headers.get('allow') ?? '', /GET/);
});

test('the envelope follows the path as the router reads it: duplicate slashes, a trailing slash', async () => {
  // From a fuzzing walk: each of these reached its route, but its error came in the AT&T envelope.
  const oneapi = await gw.request('POST', '//2/smsmessaging/outbound/22627001/requests', { headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(oneapi.status, 400);
  assert.equal(typeof oneapi.json().requestError, 'object', oneapi.text);
  const admin = await gw.request('POST', '//admin/v1/apps', { headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(admin.status, 415);
  assert.equal(admin.json().error.code, 'unsupported_media_type');
  const oauth = await gw.request('GET', '//oauth/v4/token');
  assert.equal(oauth.status, 405, 'the method is wrong, as on /oauth/v4/token');
  assert.equal(oauth.json().error, 'invalid_request');
  const health = await gw.request('POST', '/healthz/');
  assert.equal(health.status, 405);
  assert.equal(health.json().error.code, 'method_not_allowed');
});

test('a console path the router cannot read is an HTML page with the console headers', async () => {
  // These pages were served without the CSP and framing rules of every other console page.
  const security = ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'cache-control'];
  const signIn = await gw.request('GET', '/console/login');
  assert.equal(signIn.status, 200);
  const expected = security.map((name) => [name, signIn.headers.get(name)]);
  assert.ok(expected.every(([, value]) => value !== null), JSON.stringify(expected));
  for (const [path, status] of [['/console/apps/%zz', 400], ['/console/%zz', 400], [`/console/apps/${'x'.repeat(101)}`, 414]] as const) {
    const res = await gw.request('GET', path);
    assert.equal(res.status, status, path);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.doesNotMatch(res.text, /RequestError|%1/);
    assert.deepEqual(security.map((name) => [name, res.headers.get(name)]), expected, path);
  }
});
