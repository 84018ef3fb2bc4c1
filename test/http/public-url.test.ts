import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST } from './send-helpers.js';

let plain: TestGateway;
let named: TestGateway;
let proxied: TestGateway;
const apps = new Map<TestGateway, TestApp>();
let next = 1000;
const number = () => `+1425202${String(next++).padStart(4, '0')}`;

before(async () => {
  [plain, named, proxied] = await Promise.all([
    startTestGateway(FAST),
    startTestGateway({ ...FAST, SWITCHBOARD_PUBLIC_URL: 'https://sms.example.com' }),
    startTestGateway({ ...FAST, SWITCHBOARD_TRUST_PROXY: 'loopback' }),
  ]);
  for (const gw of [plain, named, proxied]) {
    apps.set(gw, await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] }));
  }
});
after(async () => {
  await Promise.all([plain, named, proxied].map((gw) => gw.close()));
});

/** A request with the `Host` (and other headers) exactly as given: fetch would not send our Host. */
function raw(gw: TestGateway, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; location: string | undefined; json: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest(`${gw.url}${path}`, { method, headers: { ...apps.get(gw)?.auth, accept: 'application/json', ...headers } });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sendV3 = (gw: TestGateway, headers: Record<string, string>) =>
  raw(gw, 'POST', '/sms/v3/messaging/outbox', { 'content-type': 'application/json', ...headers }, JSON.stringify({ outboundSMSRequest: { address: `tel:${number()}`, message: 'where' } }));

type SendAnswer = { outboundSMSResponse: { messageId: string; resourceReference: { resourceURL: string } } };

test('without SWITCHBOARD_PUBLIC_URL, resource URLs name the origin the client called (its Host), not HOST:PORT', async () => {
  const sent = await sendV3(plain, { host: 'sms.lan:8080' });
  assert.equal(sent.status, 201);
  const { messageId, resourceReference } = (sent.json as SendAnswer).outboundSMSResponse;
  assert.equal(resourceReference.resourceURL, `http://sms.lan:8080/sms/v3/messaging/outbox/${messageId}`);
  assert.equal(sent.location, resourceReference.resourceURL);

  const inbox = await raw(plain, 'GET', '/sms/v3/messaging/inbox/22627000', { host: '192.0.2.10:8080' });
  assert.equal((inbox.json as { InboundSmsMessageList: { ResourceUrl: string } }).InboundSmsMessageList.ResourceUrl, 'http://192.0.2.10:8080/sms/v3/messaging/inbox/22627000');

  const oneapi = await raw(plain, 'GET', '/2/smsmessaging/inbound/registrations/22627000/messages', { host: '[2001:db8::1]:8080' });
  assert.equal(
    (oneapi.json as { inboundSMSMessageList: { resourceURL: string } }).inboundSMSMessageList.resourceURL,
    'http://[2001:db8::1]:8080/2/smsmessaging/inbound/registrations/22627000/messages',
  );
});

test('a Host that cannot be written into a URL as it is gets HOST:PORT', async () => {
  for (const host of ['sms.lan:8080/evil', 'user@sms.lan', 'sms.lan:port', '-sms.lan']) {
    const sent = await sendV3(plain, { host });
    assert.equal(sent.status, 201, host);
    const { messageId, resourceReference } = (sent.json as SendAnswer).outboundSMSResponse;
    assert.equal(resourceReference.resourceURL, `${plain.url}/sms/v3/messaging/outbox/${messageId}`, host);
  }
});

test('SWITCHBOARD_PUBLIC_URL, when set, is the base whatever Host the client sent', async () => {
  const sent = await sendV3(named, { host: 'sms.lan:8080' });
  const { messageId, resourceReference } = (sent.json as SendAnswer).outboundSMSResponse;
  assert.equal(resourceReference.resourceURL, `https://sms.example.com/sms/v3/messaging/outbox/${messageId}`);
  const docs = await raw(named, 'GET', '/openapi.json', { host: 'sms.lan:8080' });
  assert.deepEqual(docs.json.servers, [{ url: 'https://sms.example.com' }]);
});

test('behind a trusted proxy, its X-Forwarded-Proto and X-Forwarded-Host make the base; from an untrusted one they are ignored', async () => {
  const forwarded = { host: '127.0.0.1:9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sms.example.org' };
  const behind = await sendV3(proxied, forwarded);
  const a = (behind.json as SendAnswer).outboundSMSResponse;
  assert.equal(a.resourceReference.resourceURL, `https://sms.example.org/sms/v3/messaging/outbox/${a.messageId}`);
  const direct = await sendV3(plain, forwarded);
  const b = (direct.json as SendAnswer).outboundSMSResponse;
  assert.equal(b.resourceReference.resourceURL, `http://127.0.0.1:9/sms/v3/messaging/outbox/${b.messageId}`);
});

test('the API document names no server without SWITCHBOARD_PUBLIC_URL: /docs calls the origin it was loaded from', async () => {
  const docs = await raw(plain, 'GET', '/openapi.json', { host: 'sms.lan:8080' });
  assert.deepEqual(docs.json.servers, [{ url: '/' }]);
});

test('an idempotent repeat through another Host answers with URLs on the Host it called, not the first request\'s', async () => {
  const key = { 'idempotency-key': 'host-replay-1' };
  const body = JSON.stringify({ outboundSMSRequest: { address: `tel:${number()}`, message: 'where again' } });
  const send = (host: string) => raw(plain, 'POST', '/sms/v3/messaging/outbox', { 'content-type': 'application/json', host, ...key }, body);
  const first = await send('127.0.0.1:8080');
  assert.equal(first.status, 201);
  const again = await send('localhost:8080');
  assert.equal(again.status, 201);
  const { messageId, resourceReference } = (again.json as SendAnswer).outboundSMSResponse;
  assert.equal(messageId, (first.json as SendAnswer).outboundSMSResponse.messageId, 'the repeat made a second message');
  assert.equal(resourceReference.resourceURL, `http://localhost:8080/sms/v3/messaging/outbox/${messageId}`);
  assert.equal(again.location, resourceReference.resourceURL);

  // OneAPI /3 echoes the request: its resourceURL and its deliveryInfoList's follow the Host too.
  const to = `tel:${number()}`;
  const request = JSON.stringify({ outboundSMSMessageRequest: { address: [to], outboundSMSTextMessage: { message: 'where again' }, clientCorrelator: 'host-replay-2' } });
  const path = '/3/smsmessaging/outbound/tel%3A22627000/requests';
  const a = await raw(plain, 'POST', path, { 'content-type': 'application/json', host: '127.0.0.1:8080' }, request);
  const b = await raw(plain, 'POST', path, { 'content-type': 'application/json', host: 'localhost:8080' }, request);
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  const echoA = (a.json as { outboundSMSMessageRequest: Record<string, any> }).outboundSMSMessageRequest;
  const echoB = (b.json as { outboundSMSMessageRequest: Record<string, any> }).outboundSMSMessageRequest;
  assert.ok(String(echoA.resourceURL).startsWith('http://127.0.0.1:8080/3/'), echoA.resourceURL);
  assert.equal(echoB.resourceURL, String(echoA.resourceURL).replace('127.0.0.1', 'localhost'));
  assert.equal(echoB.deliveryInfoList.resourceURL, `${echoB.resourceURL}/deliveryInfos`);
  assert.equal(b.location, echoB.resourceURL);
  // Nothing else differs from the first answer.
  assert.deepEqual({ ...echoB, resourceURL: null, deliveryInfoList: null }, { ...echoA, resourceURL: null, deliveryInfoList: null });
});
