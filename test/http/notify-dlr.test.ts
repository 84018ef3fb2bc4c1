import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { startListener, type TestListener } from '../webhooks/listener.js';

let gw: TestGateway;
const listeners: TestListener[] = [];

before(async () => {
  gw = await startTestGateway({
    SWITCHBOARD_RETRY_BASE_MS: '50',
    SWITCHBOARD_RETRY_CAP_MS: '200',
    SWITCHBOARD_NETWORK_RETRY_WINDOW_S: '1',
    SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '10',
  });
});
after(async () => {
  await gw.close();
  await Promise.all(listeners.map((l) => l.close()));
});

async function listener(answer?: Parameters<typeof startListener>[0]): Promise<TestListener> {
  const l = await startListener(answer);
  listeners.push(l);
  return l;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('AT&T notifyDeliveryStatus: one signed POST per recipient to the delivery status URL, on its final state', async () => {
  const l = await listener((_r, i) => (i === 0 ? 500 : 200));
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627300', moDelivery: 'poll' }], deliveryStatusUrl: l.url });
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: app.auth,
    body: { outboundSMSRequest: { address: ['tel:+14255550120', 'tel:+14255550121'], message: 'Hi there', notifyDeliveryStatus: true } },
  });
  assert.equal(res.status, 201, res.text);
  const messageId = res.json().outboundSMSResponse.messageId;
  // Two recipients, the first POST refused once: three requests, two distinct events.
  await l.waitFor(3);
  await sleep(400);
  assert.equal(l.received.length, 3);
  const bodies = l.received.map((r) => JSON.parse(r.body));
  const byAddress = new Map(bodies.map((b) => [b.deliveryInfoNotification.deliveryInfo.address, b]));
  assert.deepEqual([...byAddress.keys()].sort(), ['tel:+14255550120', 'tel:+14255550121']);
  for (const b of byAddress.values()) {
    assert.deepEqual(b, {
      deliveryInfoNotification: { messageId, deliveryInfo: { address: b.deliveryInfoNotification.deliveryInfo.address, deliveryStatus: 'DeliveredToTerminal' } },
    });
  }
  // One event per recipient; the retried one kept its id and its bytes.
  const byEvent = new Map<string, string[]>();
  for (const r of l.received) {
    const id = String(r.headers['x-switchboard-event-id']);
    byEvent.set(id, [...(byEvent.get(id) ?? []), r.body]);
  }
  assert.deepEqual([...byEvent.keys()].sort(), [`dlr-${messageId}-0`, `dlr-${messageId}-1`]);
  for (const sent of byEvent.values()) assert.equal(new Set(sent).size, 1);
  for (const r of l.received) {
    const expected = createHmac('sha256', app.signingSecret).update(`${String(r.headers['x-switchboard-timestamp'])}.${r.body}`).digest('hex');
    assert.equal(r.headers['x-switchboard-signature'], expected);
  }
});

test('a recipient the network gives up on is notified as DeliveryImpossible', async () => {
  const l = await listener();
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627301', moDelivery: 'poll' }], deliveryStatusUrl: l.url });
  const off = await gw.request('PUT', '/sim/v1/handsets/14255550122', { body: { online: false } });
  assert.equal(off.status, 200, off.text);
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: app.auth,
    body: { outboundSMSRequest: { address: 'tel:+14255550122', message: 'nobody home', notifyDeliveryStatus: true } },
  });
  assert.equal(res.status, 201, res.text);
  const [r] = await l.waitFor(1, 15_000);
  assert.deepEqual(JSON.parse(r!.body), {
    deliveryInfoNotification: {
      messageId: res.json().outboundSMSResponse.messageId,
      deliveryInfo: { address: 'tel:+14255550122', deliveryStatus: 'DeliveryImpossible' },
    },
  });
});

test('OneAPI receiptRequest: the OneAPI form with callbackData (and messageId) to notifyURL', async () => {
  const l = await listener();
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627302', moDelivery: 'poll' }] });
  const res = await gw.request('POST', `/2/smsmessaging/outbound/${encodeURIComponent('tel:22627302')}/requests`, {
    headers: app.auth,
    body: {
      outboundSMSMessageRequest: {
        address: ['tel:+14255550123'],
        senderAddress: 'tel:22627302',
        outboundSMSTextMessage: { message: 'OneAPI hello' },
        receiptRequest: { notifyURL: l.url, callbackData: 'order-17' },
      },
    },
  });
  assert.equal(res.status, 201, res.text);
  const messageId = res.json().resourceReference.resourceURL.split('/').pop();
  const [r] = await l.waitFor(1);
  assert.deepEqual(JSON.parse(r!.body), {
    deliveryInfoNotification: { callbackData: 'order-17', messageId, deliveryInfo: { address: 'tel:+14255550123', deliveryStatus: 'DeliveredToTerminal' } },
  });
  assert.equal(r!.headers['x-switchboard-event-id'], `dlr-${messageId}-0`);
});

test('no notification for a send that did not ask for one', async () => {
  const l = await listener();
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627303', moDelivery: 'poll' }], deliveryStatusUrl: l.url });
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: app.auth,
    body: { outboundSMSRequest: { address: 'tel:+14255550124', message: 'quiet' } },
  });
  assert.equal(res.status, 201, res.text);
  await sleep(600);
  assert.equal(l.received.length, 0);
});

test('refusals: notify without a delivery status URL (SVC0283), notifyURL not allowed (SVC0002 notifyURL)', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627304', moDelivery: 'poll' }] });
  const none = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: app.auth,
    body: { outboundSMSRequest: { address: 'tel:+14255550125', message: 'x', notifyDeliveryStatus: true } },
  });
  assert.equal(none.status, 400, none.text);
  assert.equal(none.json().RequestError.ServiceException.MessageId, 'SVC0283');

  const send = (a: typeof app, notifyURL: string) =>
    gw.request('POST', `/2/smsmessaging/outbound/${encodeURIComponent('tel:22627304')}/requests`, {
      headers: a.auth,
      body: { outboundSMSMessageRequest: { address: 'tel:+14255550125', outboundSMSTextMessage: { message: 'x' }, receiptRequest: { notifyURL } } },
    });
  const self = await send(app, `${gw.url}/admin/v1/apps`);
  assert.equal(self.status, 400, self.text);
  assert.deepEqual(self.json().requestError.serviceException.variables, ['notifyURL']);

  const prod = await createApp(gw, { realm: 'production', shortCodes: [{ shortCode: '22627305', moDelivery: 'poll' }] });
  const http = await gw.request('POST', `/2/smsmessaging/outbound/${encodeURIComponent('tel:22627305')}/requests`, {
    headers: prod.auth,
    body: { outboundSMSMessageRequest: { address: 'tel:+14255550125', outboundSMSTextMessage: { message: 'x' }, receiptRequest: { notifyURL: 'http://app.example/dr' } } },
  });
  assert.equal(http.status, 400, http.text);
  assert.deepEqual(http.json().requestError.serviceException.variables, ['notifyURL']);
});
