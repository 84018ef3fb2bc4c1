import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { handsetMessages, handsetReceives, waitFor } from './send-helpers.js';

let gw: TestGateway;
let app: TestApp;
let next = 5000;
const number = () => `+1425201${String(next++).padStart(4, '0')}`;

before(async () => {
  gw = await startTestGateway({
    SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5',
    SWITCHBOARD_NETWORK_RETRY_WINDOW_S: '2',
    // A 2-second retry window, tried a few times on the way.
    SWITCHBOARD_RETRY_BASE_MS: '400',
    SWITCHBOARD_RETRY_CAP_MS: '1500',
  });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627400', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

async function switchOff(to: string): Promise<void> {
  const res = await gw.request('PUT', `/sim/v1/handsets/${encodeURIComponent(to)}`, { body: { online: false } });
  assert.equal(res.status, 200, res.text);
}

async function send(to: string, message: string): Promise<string> {
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: to, message } } });
  assert.equal(res.status, 201, res.text);
  return res.json().outboundSMSResponse.messageId;
}

async function status(id: string): Promise<string> {
  const res = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
  assert.equal(res.status, 200, res.text);
  return res.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus;
}

test('a switched-off handset: DeliveredToNetwork while retried, DeliveryImpossible when the window ends', async () => {
  const to = number();
  await switchOff(to);
  const started = Date.now();
  const id = await send(to, 'nobody home');
  assert.equal(await status(id), 'DeliveredToNetwork');
  const final = await waitFor(async () => {
    const s = await status(id);
    return s === 'DeliveredToNetwork' ? undefined : s;
  }, 15_000, 'the retry window to end');
  assert.equal(final, 'DeliveryImpossible');
  const took = Date.now() - started;
  assert.ok(took >= 1900 && took < 12_000, `gave up after ${took} ms with a 2 s window`);
  assert.deepEqual(await handsetMessages(gw, to), []);
});

test('switching the handset on delivers what waits for it at once, not at the next back-off', async () => {
  // Here the next try would come 2.5–5 s after a failure: only the wake-up can beat that.
  const slow = await startTestGateway({ SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5', SWITCHBOARD_RETRY_BASE_MS: '5000', SWITCHBOARD_RETRY_CAP_MS: '5000' });
  try {
    const who = await createApp(slow, { shortCodes: [{ shortCode: '22627401', moDelivery: 'poll' }] });
    const to = number();
    await slow.request('PUT', `/sim/v1/handsets/${encodeURIComponent(to)}`, { body: { online: false } });
    for (const message of ['waiting 1', 'waiting 2']) {
      const res = await slow.request('POST', '/sms/v3/messaging/outbox', { headers: who.auth, body: { outboundSMSRequest: { address: to, message } } });
      assert.equal(res.status, 201, res.text);
    }
    // Let the submits fail once so they sit in back-off.
    await new Promise((r) => setTimeout(r, 300));
    const on = Date.now();
    const res = await slow.request('PUT', `/sim/v1/handsets/${encodeURIComponent(to)}`, { body: { online: true } });
    assert.equal(res.status, 200);
    const got = await handsetReceives(slow, to, 2, 5000);
    assert.deepEqual(got.map((m) => m.text).sort(), ['waiting 1', 'waiting 2']);
    assert.ok(Date.now() - on < 2000, `took ${Date.now() - on} ms after switching on`);
  } finally {
    await slow.close();
  }
});
