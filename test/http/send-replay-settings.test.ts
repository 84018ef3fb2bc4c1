import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_AUTH, createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST, handsetMessages, handsetReceives } from './send-helpers.js';

/*
 * An identical retry (same Idempotency-Key or clientCorrelator, same request) gets the first answer
 * whatever the operator or the app changed in between: where delivery receipts go (the app's
 * deliveryStatusUrl, a OneAPI delivery-receipt subscription) and the AT&T sender (the app's first
 * short code) are the app's settings, not the request's. Only what the client sent decides whether
 * a repeat is the same request.
 */

let gw: TestGateway;
let next = 7300;
const number = () => `+1425201${String(next++).padStart(4, '0')}`;

before(async () => {
  gw = await startTestGateway(FAST);
});
after(async () => {
  await gw.close();
});

async function admin(method: string, path: string, body?: object): Promise<void> {
  const res = await gw.request(method, `/admin/v1/apps/${path}`, { headers: ADMIN_AUTH, ...(body === undefined ? {} : { body }) });
  assert.ok(res.status === 200 || res.status === 201 || res.status === 204, `${method} ${path}: ${res.status} ${res.text}`);
}

function v3(app: TestApp, key: string, to: string, extra: Record<string, unknown> = {}) {
  return gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, 'idempotency-key': key },
    body: { outboundSMSRequest: { address: `tel:${to}`, message: 'retry me', ...extra } },
  });
}

function oneapi(app: TestApp, sender: string, to: string, extra: Record<string, unknown> = {}) {
  return gw.request('POST', `/2/smsmessaging/outbound/tel%3A${sender}/requests`, {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: `tel:${to}`, senderAddress: `tel:${sender}`, outboundSMSTextMessage: { message: 'retry me' }, clientCorrelator: 'corr-1', ...extra } },
  });
}

/** The retry got the first answer, marked as replayed, and the handset has the message once. */
async function replayed(first: Awaited<ReturnType<typeof v3>>, retry: Awaited<ReturnType<typeof v3>>, to: string): Promise<void> {
  assert.equal(retry.status, first.status, `identical retry refused: ${retry.status} ${retry.text}`);
  assert.equal(retry.text, first.text);
  assert.equal(retry.headers.get('location'), first.headers.get('location'));
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  await handsetReceives(gw, to);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await handsetMessages(gw, to)).length, 1, 'the handset got the message twice');
}

test('OneAPI: a retry with the same clientCorrelator after a delivery-receipt subscription was made gets the first answer', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627300', moDelivery: 'poll' }] });
  const to = number();
  const first = await oneapi(app, '22627300', to);
  assert.equal(first.status, 201, first.text);
  // Meanwhile (the answer was lost, say) the app subscribes to delivery receipts on its sender.
  const sub = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627300/subscriptions', {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: 'http://127.0.0.1:9/receipts' } } },
  });
  assert.equal(sub.status, 201, sub.text);
  await replayed(first, await oneapi(app, '22627300', to), to);
});

test('OneAPI: a retry after the subscription the first send reported to was deleted gets the first answer', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627301', moDelivery: 'poll' }] });
  const sub = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627301/subscriptions', {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: 'http://127.0.0.1:9/receipts', callbackData: 'before' } } },
  });
  assert.equal(sub.status, 201, sub.text);
  const to = number();
  const first = await oneapi(app, '22627301', to);
  assert.equal(first.status, 201, first.text);
  const gone = await gw.request('DELETE', new URL(sub.json().deliveryReceiptSubscription.resourceURL).pathname, { headers: app.auth });
  assert.equal(gone.status, 204, gone.text);
  await replayed(first, await oneapi(app, '22627301', to), to);
});

test('OneAPI: the same clientCorrelator with another receiptRequest is still 409 SVC0005', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627302', moDelivery: 'poll' }] });
  const to = number();
  const receipt = (callbackData: string) => ({ receiptRequest: { notifyURL: 'http://127.0.0.1:9/dr', callbackData } });
  const first = await oneapi(app, '22627302', to, receipt('a'));
  assert.equal(first.status, 201, first.text);
  await replayed(first, await oneapi(app, '22627302', to, receipt('a')), to);
  const other = await oneapi(app, '22627302', to, receipt('b'));
  assert.equal(other.status, 409, other.text);
  assert.deepEqual(other.json().requestError.serviceException.variables, ['corr-1', 'clientCorrelator']);
});

test('AT&T: a retry with the same Idempotency-Key after the operator changed the delivery status URL gets the first answer', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627310', moDelivery: 'poll' }], deliveryStatusUrl: 'http://127.0.0.1:9/dr' });
  const to = number();
  const first = await v3(app, 'key-1', to, { notifyDeliveryStatus: true });
  assert.equal(first.status, 201, first.text);
  await admin('PATCH', app.id, { deliveryStatusUrl: 'http://127.0.0.1:9/dr2' });
  await replayed(first, await v3(app, 'key-1', to, { notifyDeliveryStatus: true }), to);
});

test('AT&T: a retry after the delivery status URL was cleared gets the first answer, not SVC0283; a new send is SVC0283', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627311', moDelivery: 'poll' }], deliveryStatusUrl: 'http://127.0.0.1:9/dr' });
  const to = number();
  const first = await v3(app, 'key-1', to, { notifyDeliveryStatus: true });
  assert.equal(first.status, 201, first.text);
  await admin('PATCH', app.id, { deliveryStatusUrl: null });
  await replayed(first, await v3(app, 'key-1', to, { notifyDeliveryStatus: true }), to);
  const fresh = await v3(app, 'key-2', number(), { notifyDeliveryStatus: true });
  assert.equal(fresh.status, 400, fresh.text);
  assert.equal(fresh.json().RequestError.ServiceException.MessageId, 'SVC0283');
});

test("AT&T: a retry after the app's first short code (its sender) changed gets the first answer", async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627321', moDelivery: 'poll' }] });
  const to = number();
  const first = await v3(app, 'key-1', to);
  assert.equal(first.status, 201, first.text);
  await admin('POST', `${app.id}/short-codes`, { shortCode: '22627320', moDelivery: 'poll' });
  await replayed(first, await v3(app, 'key-1', to), to);
  assert.equal((await handsetMessages(gw, to))[0].from, '22627321');
});

test('AT&T: the same Idempotency-Key with notifyDeliveryStatus flipped is still 409 SVC0005', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627330', moDelivery: 'poll' }], deliveryStatusUrl: 'http://127.0.0.1:9/dr' });
  const to = number();
  const first = await v3(app, 'key-1', to, { notifyDeliveryStatus: true });
  assert.equal(first.status, 201, first.text);
  const other = await v3(app, 'key-1', to, { notifyDeliveryStatus: false });
  assert.equal(other.status, 409, other.text);
  assert.equal(other.json().RequestError.ServiceException.Variables, 'key-1,Idempotency-Key');
});
