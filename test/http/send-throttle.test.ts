import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST } from './send-helpers.js';

let gw: TestGateway;
let next = 6000;
const number = () => `+1425201${String(next++).padStart(4, '0')}`;

before(async () => {
  gw = await startTestGateway(FAST);
});
after(async () => {
  await gw.close();
});

/** Waits for the start of a fresh second, so a burst falls in one per-second window. */
async function freshSecond(): Promise<void> {
  const ms = Date.now() % 1000;
  if (ms > 300) await new Promise((r) => setTimeout(r, 1000 - ms + 5));
}

test('over ratePerSecond: 403 POL0001 with Retry-After; other apps are not affected', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627700', moDelivery: 'poll' }], ratePerSecond: 3 });
  const other = await createApp(gw, { shortCodes: [{ shortCode: '22627701', moDelivery: 'poll' }], ratePerSecond: 3 });
  // Five at once from the start of a second; on a slow machine a burst may straddle two windows,
  // so it is tried again until one lands in a single window.
  let statuses: number[] = [];
  let refused;
  for (let attempt = 0; attempt < 3 && !statuses.includes(403); attempt++) {
    await freshSecond();
    const burst = await Promise.all(
      Array.from({ length: 5 }, () =>
        gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: number(), message: 'burst' } } }),
      ),
    );
    statuses = burst.map((r) => r.status);
    refused = burst.find((r) => r.status === 403);
  }
  assert.ok(refused, `no request refused: ${statuses.join(' ')}`);
  assert.ok(statuses.filter((s) => s === 201).length >= 3, statuses.join(' '));
  assert.ok(statuses.every((s) => s === 201 || s === 403), statuses.join(' '));
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.deepEqual(refused.json(), {
    RequestError: { PolicyException: { MessageId: 'POL0001', Text: 'A policy error occurred. Error code is %1', Variables: 'Rate limit exceeded' } },
  });
  const fine = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: other.auth, body: { outboundSMSRequest: { address: number(), message: 'other app' } } });
  assert.equal(fine.status, 201);
  // The next second is a new window.
  await new Promise((r) => setTimeout(r, 1000));
  const later = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: number(), message: 'later' } } });
  assert.equal(later.status, 201);
});

test('over ratePerDay: 403 POL0001 until the next UTC day, in the OneAPI envelope on OneAPI paths; status reads count too', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627702', moDelivery: 'poll' }], ratePerDay: 2 });
  const first = await gw.request('POST', '/2/smsmessaging/outbound/22627702/requests', {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: 'day 1' } } },
  });
  assert.equal(first.status, 201);
  const id = first.json().resourceReference.resourceURL.split('/').pop();
  const status = await gw.request('GET', `/2/smsmessaging/outbound/22627702/requests/${id}/deliveryInfos`, { headers: app.auth });
  assert.equal(status.status, 200);
  const third = await gw.request('POST', '/2/smsmessaging/outbound/22627702/requests', {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: 'day 3' } } },
  });
  assert.equal(third.status, 403);
  assert.deepEqual(third.json().requestError.policyException.variables, ['Daily quota exceeded']);
  const retryAfter = Number(third.headers.get('retry-after'));
  const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
  assert.ok(retryAfter > 0 && retryAfter <= untilMidnight + 1, `Retry-After ${retryAfter}`);
});

test('raising the limit in the admin API takes effect at once', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627703', moDelivery: 'poll' }], ratePerDay: 1 });
  const send = () => gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: number(), message: 'q' } } });
  assert.equal((await send()).status, 201);
  assert.equal((await send()).status, 403);
  const patch = await gw.request('PATCH', `/admin/v1/apps/${app.id}`, { headers: ADMIN_AUTH, body: { ratePerDay: null } });
  assert.equal(patch.status, 200, patch.text);
  assert.equal((await send()).status, 201);
});
