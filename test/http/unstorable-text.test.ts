import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_AUTH, createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway, type TestResponse } from '../helpers/gateway.js';
import { signIn } from '../console/sign-in.js';

/*
 * Text no store keeps (U+0000, a lone UTF-16 surrogate), wherever a request carries it, is 400 in
 * the path's envelope naming the field, on both stores. PostgreSQL refused it with a 500 (a lone
 * surrogate in the JSON of the batched inserts), SQLite stored it. JSON bodies are written by hand:
 * JSON.stringify would write a lone surrogate as an escape anyway, but this says what is sent.
 */

let gw: TestGateway;
let app: TestApp;
before(async () => {
  gw = await startTestGateway();
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627950', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

const NUL = '\\u0000';
const LONE = '\\ud800';
const JSON_TYPE = { 'content-type': 'application/json' };

function attRefusal(res: TestResponse, field: string): void {
  assert.equal(res.status, 400, res.text);
  assert.deepEqual(res.json().RequestError.ServiceException, { MessageId: 'SVC0002', Text: 'Invalid input value for message part %1', Variables: field });
}

function oneApiRefusal(res: TestResponse, field: string): void {
  assert.equal(res.status, 400, res.text);
  assert.deepEqual(res.json().requestError.serviceException, { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: [field] });
}

function operatorRefusal(res: TestResponse, field: string): void {
  assert.equal(res.status, 400, res.text);
  assert.deepEqual(res.json(), { error: { code: 'invalid_request', message: `${field} holds U+0000 or half of a UTF-16 surrogate pair, which cannot be stored` } });
}

async function nothingSent(): Promise<void> {
  const handset = await gw.request('GET', '/sim/v1/handsets/4255550100/messages');
  assert.deepEqual(handset.json().messages, []);
}

test('AT&T Send SMS: a message with U+0000 or a lone surrogate, in JSON, XML or a form, is 400 SVC0002 Message', async () => {
  for (const message of [`a${NUL}b`, `${LONE}x`, `x\\udc00`]) {
    const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
      headers: { ...app.auth, ...JSON_TYPE },
      body: `{"outboundSMSRequest":{"address":"tel:+14255550100","message":"${message}"}}`,
    });
    attRefusal(res, 'Message');
  }
  const v2 = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: { ...app.auth, ...JSON_TYPE }, body: `{"Address":"tel:+14255550100","Message":"a${NUL}"}` });
  attRefusal(v2, 'Message');
  const form = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'address=tel%3A%2B14255550100&message=a%00b',
  });
  attRefusal(form, 'Message');
  const xml = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, 'content-type': 'application/xml', accept: 'application/xml' },
    body: '<outboundSMSRequest><address>tel:+14255550100</address><message>a\u0000b</message></outboundSMSRequest>',
  });
  assert.equal(xml.status, 400, xml.text);
  await nothingSent();
});

test('OneAPI Send SMS: U+0000 in the message, clientCorrelator, senderAddress, notifyURL or callbackData is 400 SVC0002 naming it', async () => {
  const send = (request: string) =>
    gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627950/requests', { headers: { ...app.auth, ...JSON_TYPE }, body: `{"outboundSMSMessageRequest":{${request}}}` });
  const to = '"address":"tel:+14255550100"';
  oneApiRefusal(await send(`${to},"outboundSMSTextMessage":{"message":"a${LONE}"}`), 'message');
  oneApiRefusal(await send(`${to},"outboundSMSTextMessage":{"message":"hi"},"clientCorrelator":"c${NUL}"`), 'clientCorrelator');
  oneApiRefusal(await send(`${to},"outboundSMSTextMessage":{"message":"hi"},"senderAddress":"tel:22627950${NUL}"`), 'senderAddress');
  oneApiRefusal(await send(`${to},"outboundSMSTextMessage":{"message":"hi"},"receiptRequest":{"notifyURL":"http://127.0.0.1:9/${NUL}"}`), 'notifyURL');
  oneApiRefusal(await send(`${to},"outboundSMSTextMessage":{"message":"hi"},"receiptRequest":{"notifyURL":"http://127.0.0.1:9/","callbackData":"${LONE}"}`), 'callbackData');
  await nothingSent();
});

test('a query or path with %00: 400 in the path\'s envelope naming the query parameter, or URI, not a failed lookup', async () => {
  attRefusal(await gw.request('GET', '/rest/sms/2/messaging/inbox?RegistrationID=22627950%00', { headers: app.auth }), 'RegistrationID');
  oneApiRefusal(await gw.request('GET', '/2/smsmessaging/inbound/registrations/22627950/messages?maxBatchSize=1%00', { headers: app.auth }), 'maxBatchSize');
  attRefusal(await gw.request('GET', '/sms/v3/messaging/inbox/22627950%00', { headers: app.auth }), 'URI');
  attRefusal(await gw.request('GET', '/sms/v3/messaging/outbox/SMS%00', { headers: app.auth }), 'URI');
  oneApiRefusal(await gw.request('DELETE', '/2/smsmessaging/inbound/subscriptions/sub%00', { headers: app.auth }), 'URI');
  operatorRefusal(await gw.request('GET', `/admin/v1/apps/${app.id}%00`, { headers: ADMIN_AUTH }), 'URI');
});

test('admin API: an app name, delivery status URL or listener URL with U+0000 is 400 invalid_request naming the field', async () => {
  const post = (path: string, body: string) => gw.request('POST', path, { headers: { ...ADMIN_AUTH, ...JSON_TYPE }, body });
  operatorRefusal(await post('/admin/v1/apps', `{"name":"a${NUL}b"}`), 'name');
  operatorRefusal(await post('/admin/v1/apps', `{"name":"${LONE}"}`), 'name');
  const patched = await gw.request('PATCH', `/admin/v1/apps/${app.id}`, { headers: { ...ADMIN_AUTH, ...JSON_TYPE }, body: `{"deliveryStatusUrl":"http://listener.example/${NUL}"}` });
  operatorRefusal(patched, 'deliveryStatusUrl');
  const code = await post(`/admin/v1/apps/${app.id}/short-codes`, `{"shortCode":"22627951","moDelivery":"callback","listenerUrl":"https://listener.example/${NUL}"}`);
  operatorRefusal(code, 'listenerUrl');
  const apps = (await gw.request('GET', '/admin/v1/apps', { headers: ADMIN_AUTH })).json().apps as Array<{ name: string }>;
  assert.deepEqual(apps.map((a) => a.name), [app.name], 'nothing stored');
});

test('simulator API: a handset\'s MO text with U+0000 or a lone surrogate is 400 invalid_request', async () => {
  for (const text of [`hi${NUL}there`, `${LONE}`]) {
    const res = await gw.request('POST', '/sim/v1/handsets/4255550100/messages', { headers: JSON_TYPE, body: `{"to":"22627950","text":"${text}"}` });
    operatorRefusal(res, 'text');
  }
  const inbox = await gw.request('GET', '/sms/v3/messaging/inbox/22627950', { headers: app.auth });
  assert.deepEqual(inbox.json().InboundSmsMessageList.InboundSmsMessage, []);
});

test('credentials with U+0000: HTTP Basic names no app (401), an access_token query parameter 400', async () => {
  const basic = `Basic ${Buffer.from(`${app.appKey}\u0000:${app.appSecret}`).toString('base64')}`;
  const api = await gw.request('GET', '/sms/v3/messaging/inbox/22627950', { headers: { authorization: basic } });
  assert.equal(api.status, 401, api.text);
  assert.equal(api.json().RequestError.PolicyException.MessageId, 'POL0001');
  const token = await gw.request('POST', '/oauth/v4/token', { headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&scope=SMS' });
  assert.equal(token.status, 401, token.text);
  assert.equal(token.json().error, 'invalid_client');
  attRefusal(await gw.request('GET', '/sms/v3/messaging/inbox/22627950?access_token=ab%00'), 'Access_token');
});

test('/oauth: a client_id with U+0000 is 400 invalid_request', async () => {
  const res = await gw.request('POST', '/oauth/v4/token', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${app.appKey}%00&client_secret=${app.appSecret}&scope=SMS`,
  });
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json().error, 'invalid_request');
});

test('console: a new app\'s name or a handset\'s message with U+0000 is a 400 page naming the field', async () => {
  const s = await signIn(gw);
  const post = (path: string, fields: Record<string, string>) =>
    fetch(gw.url + path, {
      method: 'POST',
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
      redirect: 'manual',
    });
  for (const [path, fields, field] of [
    ['/console/apps', { name: 'x\u0000y' }, 'name'],
    ['/console/handsets/4255550100/send', { to: '22627950', text: 'a\u0000b' }, 'text'],
  ] as const) {
    const res = await post(path, fields);
    assert.equal(res.status, 400, path);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), new RegExp(`${field} holds U\\+0000`));
  }
});
