import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener, type TestListener } from '../webhooks/listener.js';

/** A gateway that keeps webhooks off loopback (SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES), with a short retry window. */
const BLOCKING = {
  SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES: '127.0.0.0/8,::1',
  SWITCHBOARD_RETRY_BASE_MS: '50',
  SWITCHBOARD_RETRY_CAP_MS: '200',
  SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S: '1',
  SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '500',
};

let gw: TestGateway;
let l: TestListener;

before(async () => {
  gw = await startTestGateway(BLOCKING);
  l = await startListener();
});
after(async () => {
  await gw.close();
  await l.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The app's dead letters once there is one (the retry window is 1 s). */
async function deadLetters(g: TestGateway, appId: string): Promise<any[]> {
  for (let i = 0; i < 80; i += 1) {
    const res = await g.request('GET', `/admin/v1/apps/${appId}/dead-letters`, { headers: ADMIN_AUTH });
    assert.equal(res.status, 200, res.text);
    const letters = res.json().deadLetters;
    if (letters.length > 0) return letters;
    await sleep(100);
  }
  return [];
}

test('a listener URL on a blocked address is refused at registration: admin 400 invalid_request, OneAPI 400 SVC0002 notifyURL', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627400', moDelivery: 'poll' }] });
  const add = await gw.request('POST', `/admin/v1/apps/${app.id}/short-codes`, {
    headers: ADMIN_AUTH,
    body: { shortCode: '22627401', moDelivery: 'callback', listenerUrl: l.url },
  });
  assert.equal(add.status, 400, add.text);
  assert.equal(add.json().error.code, 'invalid_request');
  assert.equal(add.json().error.message, "listenerUrl: the listener URL's host is a blocked address 127.0.0.1");
  for (const deliveryStatusUrl of [l.url, `http://[::ffff:127.0.0.1]:${new URL(l.url).port}/dr`, `http://[::1]:${new URL(l.url).port}/dr`]) {
    const patch = await gw.request('PATCH', `/admin/v1/apps/${app.id}`, { headers: ADMIN_AUTH, body: { deliveryStatusUrl } });
    assert.equal(patch.status, 400, `${deliveryStatusUrl}: ${patch.text}`);
    assert.match(patch.json().error.message, /^deliveryStatusUrl: the listener URL's host is a blocked address /);
  }

  const send = await gw.request('POST', `/2/smsmessaging/outbound/${encodeURIComponent('tel:22627400')}/requests`, {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: 'tel:+14255550140', outboundSMSTextMessage: { message: 'x' }, receiptRequest: { notifyURL: l.url } } },
  });
  assert.equal(send.status, 400, send.text);
  assert.equal(send.json().requestError.serviceException.messageId, 'SVC0002');
  assert.deepEqual(send.json().requestError.serviceException.variables, ['notifyURL']);
  const subscribe = await gw.request('POST', `/2/smsmessaging/outbound/${encodeURIComponent('tel:22627400')}/subscriptions`, {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: l.url } } },
  });
  assert.equal(subscribe.status, 400, subscribe.text);
  assert.deepEqual(subscribe.json().requestError.serviceException.variables, ['notifyURL']);
  assert.equal(l.received.length, 0);
});

test('a listener registered before its address was blocked gets no POST: the notification is dead-lettered with the reason', async () => {
  const open = await startTestGateway({ SWITCHBOARD_RETRY_BASE_MS: '50', SWITCHBOARD_RETRY_CAP_MS: '200' });
  const app = await createApp(open, { shortCodes: [{ shortCode: '22627402', moDelivery: 'callback', listenerUrl: l.url }] });
  const blocking = await open.restart(BLOCKING);
  try {
    await sendMo(blocking, '+14255550141', '22627402', 'not for loopback');
    const [letter, ...more] = await deadLetters(blocking, app.id);
    assert.equal(more.length, 0);
    assert.equal(letter.url, l.url);
    assert.equal(letter.lastError, "listener URL's host is a blocked address 127.0.0.1");
    assert.equal(letter.attempts, 1, 'not retried: the address is blocked until the operator says otherwise');
    await sleep(300);
    assert.equal(l.received.length, 0, 'no POST reached the listener');
  } finally {
    await blocking.close();
  }
});

test('a listener named by a host name that resolves to a blocked address gets no POST: each attempt fails, retried until the window ends', async () => {
  const named = `http://localhost:${new URL(l.url).port}/listener`;
  // Names are not resolved at registration.
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627403', moDelivery: 'callback', listenerUrl: named }] });
  await sendMo(gw, '+14255550142', '22627403', 'resolved at connect time');
  const [letter, ...more] = await deadLetters(gw, app.id);
  assert.equal(more.length, 0);
  assert.equal(letter.url, named);
  assert.match(letter.lastError, /^retry window over: listener host resolves to a blocked address (127\.0\.0\.1|::1)$/);
  assert.ok(letter.attempts >= 2, `retried (${letter.attempts} attempts): what a name resolves to may change`);
  assert.equal(l.received.length, 0, 'no POST reached the listener');
});
