import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_AUTH, createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST, handsetReceives } from './send-helpers.js';

// A send learns its app's settings with its access token (one read); these cases make sure an
// operator's change applies to the very next request, with the same token.

let gw: TestGateway;
let next = 7000;
const number = () => `+1425201${String(next++).padStart(4, '0')}`;

before(async () => {
  gw = await startTestGateway(FAST);
});
after(async () => {
  await gw.close();
});

function v3(app: TestApp, extra: Record<string, unknown> = {}, to = number()) {
  return gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: to, message: 'x', ...extra } } });
}

function oneapi(app: TestApp, sender: string) {
  return gw.request('POST', `/2/smsmessaging/outbound/tel%3A${sender}/requests`, {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: 'x' } } },
  });
}

async function admin(method: string, path: string, body?: object): Promise<void> {
  const res = await gw.request(method, `/admin/v1/apps/${path}`, { headers: ADMIN_AUTH, ...(body === undefined ? {} : { body }) });
  assert.ok(res.status === 200 || res.status === 201 || res.status === 204, `${method} ${path}: ${res.status} ${res.text}`);
}

/** Sends by AT&T v3 and returns the sender the handset saw. */
async function senderOf(app: TestApp): Promise<string> {
  const to = number();
  const res = await v3(app, {}, to);
  assert.equal(res.status, 201, res.text);
  const [mt] = await handsetReceives(gw, to);
  return mt.from;
}

test('AT&T: the sender is the app\'s first short code in code order; claiming or releasing codes changes it on the next send', async () => {
  const app = await createApp(gw, {
    shortCodes: [
      { shortCode: '22627905', moDelivery: 'poll' },
      { shortCode: '22627901', moDelivery: 'poll' },
    ],
  });
  assert.equal(await senderOf(app), '22627901');
  await admin('POST', `${app.id}/short-codes`, { shortCode: '22627899', moDelivery: 'poll' });
  assert.equal(await senderOf(app), '22627899');
  await admin('DELETE', `${app.id}/short-codes/22627899`);
  await admin('DELETE', `${app.id}/short-codes/22627901`);
  assert.equal(await senderOf(app), '22627905');
  await admin('DELETE', `${app.id}/short-codes/22627905`);
  const refused = await v3(app);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json().RequestError.PolicyException.MessageId, 'POL0002');
});

test('OneAPI: a short code claimed is a sender at once, a released one is refused at once', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627910', moDelivery: 'poll' }] });
  assert.equal((await oneapi(app, '22627911')).json().requestError.policyException.messageId, 'POL0002');
  await admin('POST', `${app.id}/short-codes`, { shortCode: '22627911', moDelivery: 'poll' });
  assert.equal((await oneapi(app, '22627911')).status, 201);
  assert.equal((await oneapi(app, '22627910')).status, 201);
  await admin('DELETE', `${app.id}/short-codes/22627911`);
  const refused = await oneapi(app, '22627911');
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json().requestError.policyException.messageId, 'POL0002');
});

test('a delivery status URL set or cleared in the admin API applies to the next notifyDeliveryStatus send', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627920', moDelivery: 'poll' }] });
  const notified = () => v3(app, { notifyDeliveryStatus: true });
  assert.equal((await notified()).json().RequestError.ServiceException.MessageId, 'SVC0283');
  await admin('PATCH', app.id, { deliveryStatusUrl: 'http://127.0.0.1:9/dr' });
  const accepted = await notified();
  assert.equal(accepted.status, 201, accepted.text);
  // A pushed status is not pollable: no resource in the answer.
  assert.equal(accepted.json().outboundSMSResponse.resourceReference, undefined);
  await admin('PATCH', app.id, { deliveryStatusUrl: null });
  const refused = await notified();
  assert.equal(refused.status, 400, refused.text);
  assert.equal(refused.json().RequestError.ServiceException.MessageId, 'SVC0283');
});

test('a limit given to an unlimited app applies to the next request', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627930', moDelivery: 'poll' }] });
  for (let i = 0; i < 3; i++) assert.equal((await v3(app)).status, 201);
  await admin('PATCH', app.id, { ratePerDay: 1 });
  assert.equal((await v3(app)).status, 201);
  const refused = await v3(app);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json().RequestError.PolicyException.MessageId, 'POL0001');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
});
