/**
 * An identical retry (same clientCorrelator / Idempotency-Key, same body) must get the first
 * answer. The request hash includes where the receipt goes — taken from server-side state (the
 * app's delivery-receipt subscription, the app's deliveryStatusUrl), not from the request — so a
 * retry after that state changed is refused 409 SVC0005 "duplicate correlator".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_AUTH, createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let app: TestApp;

before(async () => {
  gw = await startTestGateway({ SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }], deliveryStatusUrl: 'http://127.0.0.1:9/dr' });
});
after(async () => {
  await gw.close();
});

test('OneAPI: a retry with the same clientCorrelator after a delivery-receipt subscription was created gets the first answer, not 409', async () => {
  const send = () =>
    gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/requests', {
      headers: app.auth,
      body: { outboundSMSMessageRequest: { address: 'tel:+14255550123', senderAddress: 'tel:22627000', outboundSMSTextMessage: { message: 'retry me' }, clientCorrelator: 'corr-1' } },
    });
  const first = await send();
  assert.equal(first.status, 201, first.text);
  // Meanwhile (the answer was lost, say) the app subscribes to delivery receipts on its sender.
  const sub = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/subscriptions', {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: 'http://127.0.0.1:9/receipts' } } },
  });
  assert.equal(sub.status, 201, sub.text);
  const retry = await send();
  assert.equal(retry.status, 201, `identical retry refused: ${retry.status} ${retry.text}`);
  assert.deepEqual(retry.json(), first.json());
});

test('AT&T: a retry with the same Idempotency-Key after the operator changed the delivery status URL gets the first answer, not 409', async () => {
  const send = () =>
    gw.request('POST', '/sms/v3/messaging/outbox', {
      headers: { ...app.auth, 'idempotency-key': 'key-1' },
      body: { outboundSMSRequest: { address: 'tel:+14255550124', message: 'retry me', notifyDeliveryStatus: true } },
    });
  const first = await send();
  assert.equal(first.status, 201, first.text);
  const patched = await gw.request('PATCH', `/admin/v1/apps/${app.id}`, { headers: ADMIN_AUTH, body: { deliveryStatusUrl: 'http://127.0.0.1:9/dr2' } });
  assert.equal(patched.status, 200, patched.text);
  const retry = await send();
  assert.equal(retry.status, 201, `identical retry refused: ${retry.status} ${retry.text}`);
  assert.deepEqual(retry.json(), first.json());
});
