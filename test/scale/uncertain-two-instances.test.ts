import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresReachable } from '../helpers/postgres.js';
import { notificationSink, SHORT_CODE, twoSmppInstances, waitUntil } from '../smpp/world.js';

/*
 * Two gateways on one PostgreSQL database, bound to one SMSC that never sends a receipt. Both
 * trackers find the same overdue recipients on their sweeps: each recipient is still settled as
 * DeliveryUncertain once, with one notification, and counted by one instance.
 */

const reachable = await postgresReachable();

test('two instances settle each overdue recipient once, with one notification', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  const { smsc, instances, app } = await twoSmppInstances(t, { SWITCHBOARD_NETWORK_RETRY_WINDOW_S: '2' });
  const sink = await notificationSink();
  t.after(() => sink.close());
  const gateways = [...instances.values()];
  const numbers = Array.from({ length: 10 }, (_, i) => `+142555509${String(i).padStart(2, '0')}`);
  for (const [i, to] of numbers.entries()) {
    const gw = gateways[i % 2];
    assert.ok(gw);
    const res = await gw.request('POST', `/2/smsmessaging/outbound/${encodeURIComponent(`tel:${SHORT_CODE}`)}/requests`, {
      headers: app.auth,
      body: { outboundSMSMessageRequest: { address: [`tel:${to}`], outboundSMSTextMessage: { message: 'never reported' }, receiptRequest: { notifyURL: sink.url } } },
    });
    assert.equal(res.status, 201, res.text);
  }
  await waitUntil(() => smsc.accepted.length === numbers.length, 5000, 'every submit at the SMSC');

  const settled = async () => {
    let n = 0;
    for (const gw of gateways) n += (await gw.gateway.ctx.smpp?.report())?.receipts.settledUncertain ?? 0;
    return n;
  };
  await waitUntil(async () => (await settled()) >= numbers.length, 20_000, 'every recipient settled');
  await waitUntil(() => sink.bodies.length >= numbers.length, 20_000, 'the notifications');
  await new Promise((r) => setTimeout(r, 1000)); // room for a second one, which must not come
  const statuses = sink.deliveryInfos();
  assert.deepEqual(
    statuses.map((d) => d.address).sort(),
    numbers.map((n) => `tel:${n}`),
    'one notification per recipient',
  );
  assert.ok(statuses.every((d) => d.deliveryStatus === 'DeliveryUncertain'));
  assert.equal(await settled(), numbers.length, 'each counted by one instance');
});
