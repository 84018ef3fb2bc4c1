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
