import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { sendRaw as sendRawTo, type RawAnswer } from '../helpers/raw-http.js';

// Requests Node's HTTP parser refuses before fastify sees them (from a fuzzing walk): they were
// answered with fastify's own `{"error":"Bad Request","message":"Client Error","statusCode":400}`.

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

/** `raw` to this suite's gateway unless another is named. */
function sendRaw(raw: string | readonly string[], to: TestGateway = gw): Promise<RawAnswer> {
  return sendRawTo(to, raw);
}

test('an unknown method: 405 in the envelope of the path, XML when accepted, connection closed', async () => {
  // Contract §14: a wrong method is 405. A method token Node's parser does not know was 400.
  const att = await sendRaw('FOO /sms/v3/messaging/outbox HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\n\r\n');
  assert.equal(att.status, 405);
  assert.match(att.headers, /^http\/1\.1 405 method not allowed\r\n/);
  assert.match(att.headers, /content-type: application\/xml/);
  assert.match(att.headers, /connection: close/);
  assert.match(att.body, /<RequestError><ServiceException><MessageId>SVC0002<\/MessageId>.*<Variables>Method<\/Variables>/);
  const oneapi = await sendRaw('FOO /2/smsmessaging/outbound/22627000/requests HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(oneapi.status, 405);
  assert.match(oneapi.headers, /\r\ncontent-type: application\/json\r\n/);
  assert.deepEqual(JSON.parse(oneapi.body).requestError.serviceException.variables, ['Method']);
  const oauth = await sendRaw('FOO /oauth/v4/token HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(oauth.status, 405);
  assert.equal(JSON.parse(oauth.body).error, 'invalid_request');
  // The code the admin API gives a method it does not serve (`DELETE /healthz`).
  const admin = await sendRaw('FOO /admin/v1/apps HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(admin.status, 405);
  assert.equal(JSON.parse(admin.body).error.code, 'method_not_allowed');
});

test('an oversized header: 431 in the envelope of the path', async () => {
  const res = await sendRaw(`GET /sms/v3/messaging/outbox HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.equal(res.status, 431);
  assert.equal(JSON.parse(res.body).RequestError.ServiceException.Variables, 'Header');
});

test("/oauth (every token and revoke path) and the operator surfaces say what a refused request did wrong in words, not in the API's wording ('Invalid input value for message part Header')", async () => {
  const big = `X-Big: ${'a'.repeat(20_000)}\r\n`;
  for (const path of ['/oauth/v4/token', '/oauth/v4/revoke', '/oauth/token', '/oauth/access_token', '/oauth/revoke']) {
    const res = await sendRaw(`POST ${path} HTTP/1.1\r\nHost: x\r\n${big}\r\n`);
    assert.equal(res.status, 431, path);
    assert.match(res.headers, /\r\ncache-control: no-store\r\n/);
    assert.deepEqual(JSON.parse(res.body), { error: 'invalid_request', error_description: 'request headers too large' }, path);
  }
  const oauth = async (raw: string) => JSON.parse((await sendRaw(raw)).body);
  assert.deepEqual(await oauth('FOO /oauth/v4/token HTTP/1.1\r\nHost: x\r\n\r\n'), { error: 'invalid_request', error_description: 'unknown method' });
  assert.deepEqual(await oauth('POST /oauth/v4/token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'), { error: 'invalid_request', error_description: 'malformed HTTP request' });
  // fastify's refusal of a path it cannot decode (app.ts frameworkErrors), not Node's.
  assert.deepEqual(await oauth('POST /oauth/v4/%E0%A4%A HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'), { error: 'invalid_request', error_description: 'malformed request target' });
  const admin = await sendRaw(`GET /admin/v1/apps HTTP/1.1\r\nHost: x\r\n${big}\r\n`);
  assert.equal(admin.status, 431);
  assert.deepEqual(JSON.parse(admin.body), { error: { code: 'invalid_request', message: 'request headers too large' } });
  // The API paths keep their envelope, with the part it names.
  const att = await sendRaw(`GET /sms/v3/messaging/outbox HTTP/1.1\r\nHost: x\r\n${big}\r\n`);
  assert.equal(JSON.parse(att.body).RequestError.ServiceException.Text, 'Invalid input value for message part %1');
});

test('bad framing or a bad request target: each surface answers in its own shape', async () => {
  const oauth = await sendRaw('POST /oauth/v4/token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
  assert.equal(oauth.status, 400);
  assert.equal(JSON.parse(oauth.body).error, 'invalid_request');
  assert.doesNotMatch(JSON.parse(oauth.body).error_description, /%1|SVC/);
  const admin = await sendRaw('POST /admin/v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
  assert.equal(admin.status, 400);
  assert.equal(JSON.parse(admin.body).error.code, 'invalid_request');
  const spaced = await sendRaw('GET /2/smsmessaging/inbound/registrations/a b/messages HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(spaced.status, 400);
  assert.equal(typeof JSON.parse(spaced.body).requestError, 'object');
  const console = await sendRaw('GET /console/\xe9 HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(console.status, 400);
  assert.match(console.headers, /content-type: text\/html/);
  // The console page's own headers, as every console page carries them.
  const csp = (await gw.request('GET', '/console/login')).headers.get('content-security-policy') ?? '';
  assert.ok(console.headers.includes(`\r\ncontent-security-policy: ${csp.toLowerCase()}\r\n`), console.headers);
  assert.match(console.headers, /\r\nx-frame-options: deny\r\n/);
});

test('a request line that cannot be read: the AT&T envelope, JSON', async () => {
  const res = await sendRaw('garbage\r\n\r\n');
  assert.equal(res.status, 400);
  assert.equal(JSON.parse(res.body).RequestError.ServiceException.MessageId, 'SVC0002');
});

test('a request whose body stops coming: 408 in the envelope of its path', async () => {
  // Node gives a timeout no rawPacket: it was answered in the AT&T envelope whatever the path.
  const slow = await startTestGateway({ SWITCHBOARD_REQUEST_TIMEOUT_MS: '300' });
  try {
    const app = await createApp(slow, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] });
    const halfSent = (path: string, headers: Record<string, string>) =>
      sendRaw(`POST ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}Content-Length: 100\r\n\r\n{"a`, slow);
    const json = { 'content-type': 'application/json' };
    const oneapiPath = '/2/smsmessaging/outbound/tel%3A22627000/requests';
    const oneapi = await halfSent(oneapiPath, { ...app.auth, ...json });
    assert.equal(oneapi.status, 408);
    assert.deepEqual(JSON.parse(oneapi.body), { requestError: { serviceException: { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: ['Request'] } } });
    const oneapiXml = await halfSent(oneapiPath, { ...app.auth, ...json, accept: 'application/xml' });
    assert.equal(oneapiXml.status, 408);
    assert.match(oneapiXml.body, /^(<\?xml[^>]*>)?<requestError><serviceException><messageId>SVC0002<\/messageId>/);
    const att = await halfSent('/sms/v3/messaging/outbox', { ...app.auth, ...json });
    assert.equal(att.status, 408);
    assert.equal(JSON.parse(att.body).RequestError.ServiceException.Variables, 'Request');
    const oauth = await halfSent('/oauth/v4/token', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(oauth.status, 408);
    assert.equal(JSON.parse(oauth.body).error, 'invalid_request');
    const admin = await halfSent('/admin/v1/apps', { ...ADMIN_AUTH, ...json });
    assert.equal(admin.status, 408);
    assert.equal(JSON.parse(admin.body).error.code, 'invalid_request');
    const console = await halfSent('/console/login', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(console.status, 408);
    assert.match(console.headers, /\r\ncontent-type: text\/html/);
    assert.match(console.headers, /\r\ncontent-security-policy: default-src 'self'/);
  } finally {
    await slow.close();
  }
});

test('a request answered before its body came in gets that one answer: no 408 when the rest never comes', async () => {
  // A 415 (no Content-Type) came at once, then the body's timeout answered 408 on the same
  // connection: two answers to one request (from a README walk).
  const slow = await startTestGateway({ SWITCHBOARD_REQUEST_TIMEOUT_MS: '300' });
  try {
    const answer = await sendRaw('POST /oauth/v4/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc', slow);
    assert.equal(answer.status, 415);
    assert.doesNotMatch(answer.body, /HTTP\/1\.1/, 'nothing after the first answer');
  } finally {
    await slow.close();
  }
});

test('a broken chunk that comes after its headers: 400 in the envelope of its path', async () => {
  // The refused bytes are only the body's; the path is the request Node's parser was reading.
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627001', moDelivery: 'poll' }] });
  const head = `POST /2/smsmessaging/outbound/tel%3A22627001/requests HTTP/1.1\r\nHost: x\r\nAuthorization: ${app.auth.authorization}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
  const res = await sendRaw([head, 'zz\r\n{}\r\n']);
  assert.equal(res.status, 400);
  assert.deepEqual(JSON.parse(res.body).requestError.serviceException.variables, ['Request']);
});

test('a request whose headers stop coming: 408 in the AT&T envelope, whatever came before it', async () => {
  // Node keeps a partial request line inside its native parser and gives the timeout no
  // rawPacket: the path cannot be read, so this is the fallback, not the path's envelope.
  const slow = await startTestGateway({ SWITCHBOARD_REQUEST_TIMEOUT_MS: '300' });
  try {
    const cut = await sendRaw('POST /2/smsmessaging/outbound/tel%3A22627000/requests HTTP/1.1\r\nHost: x\r\n', slow);
    assert.equal(cut.status, 408);
    assert.equal(JSON.parse(cut.body).RequestError.ServiceException.MessageId, 'SVC0002');
    // The earlier request on the connection is not the one cut short: not its (console) envelope.
    const pipelined = await sendRaw('GET /console/login HTTP/1.1\r\nHost: x\r\n\r\nPOST /2/smsmessaging/outbound/tel%3A22627000/requests HTTP/1.1\r\nHost: x\r\n', slow);
    assert.equal(pipelined.status, 200);
    const second = pipelined.body.slice(pipelined.body.indexOf('HTTP/1.1 '));
    assert.match(second, /^HTTP\/1\.1 408 [^]*\r\ncontent-type: application\/json\r\n/);
    assert.match(second, /"RequestError"/);
  } finally {
    await slow.close();
  }
});
