/**
 * README: "a repeat with the same key and the same request gets the first answer again and sends
 * nothing". The key lives only as long as the message's status row: the retention sweep deletes the
 * message SWITCHBOARD_STATUS_RETENTION_S (30 min by default) after it became final, and with it the
 * key, so a later retry with the same Idempotency-Key (or clientCorrelator) is a new message: the
 * handset gets it twice. Retention is shortened to 1 s here to see it quickly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { handsetMessages, handsetReceives } from '../http/send-helpers.js';

let gw: TestGateway;
let app: TestApp;

before(async () => {
  gw = await startTestGateway({ SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5', SWITCHBOARD_STATUS_RETENTION_S: '1' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

test('a retry with the same Idempotency-Key after the delivered status aged out is replayed, not sent again', async () => {
  const to = '+14255550160';
  const send = () =>
    gw.request('POST', '/sms/v3/messaging/outbox', {
      headers: { ...app.auth, 'idempotency-key': 'order-42' },
      body: { outboundSMSRequest: { address: `tel:${to}`, message: 'your order shipped' } },
    });
  const first = await send();
  assert.equal(first.status, 201, first.text);
  await handsetReceives(gw, to, 1);
  await new Promise((r) => setTimeout(r, 2500)); // the status retention (1 s) and a sweep (250 ms) pass
  const retry = await send();
  assert.equal(retry.headers.get('idempotent-replayed'), 'true', `retry was not replayed: ${retry.status} ${retry.text}`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await handsetMessages(gw, to)).length, 1, 'the handset got the message twice');
});
