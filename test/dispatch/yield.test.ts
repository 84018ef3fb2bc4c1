import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../helpers/apps.js';
import { startTestGateway } from '../helpers/gateway.js';
import { sendHalfARequest, type HalfSentRequest } from '../helpers/slow-client.js';
import { handsetReceives, waitFor } from '../http/send-helpers.js';

test('HTTP requests are counted from arrival until their answer or the client hanging up', async () => {
  const gw = await startTestGateway();
  let held: HalfSentRequest | undefined;
  try {
    const requests = gw.gateway.ctx.requests;
    assert.ok(requests);
    await waitFor(async () => (requests.count === 0 ? true : undefined), 2000, 'no request waiting');
    held = await sendHalfARequest(gw.url);
    await waitFor(async () => (requests.count === 1 ? true : undefined), 2000, 'the held request counted');
    assert.equal(requests.busy(), true);
    // Answered requests, found or not, come and go.
    assert.equal((await gw.request('GET', '/healthz')).status, 200);
    assert.equal((await gw.request('GET', '/no/such/path')).status, 404);
    assert.equal(requests.count, 1);
    held.socket.destroy();
    await waitFor(async () => (requests.count === 0 ? true : undefined), 2000, 'the hung-up request uncounted');
    assert.equal(requests.busy(), false);
  } finally {
    // An unanswered request would hold up the gateway's close for the request timeout.
    held?.socket.destroy();
    await gw.close();
  }
});

test('submits make way for requests waiting for their answer, and go once none is waiting', async () => {
  const gw = await startTestGateway({ SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '0', SWITCHBOARD_DISPATCH_YIELD_MS: '1000' });
  let held: HalfSentRequest | undefined;
  try {
    const app = await createApp(gw, { shortCodes: [{ shortCode: '22627600', moDelivery: 'poll' }] });
    const { runner } = gw.gateway.ctx.outbound;
    // A first send warms the gateway, so the one under test is answered quickly even on a loaded
    // machine; then a quiet second lets every yield begun during these requests run out.
    const warm = '+14252030002';
    assert.equal((await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: `tel:${warm}`, message: 'warm-up' } } })).status, 201);
    await handsetReceives(gw, warm, 1, 10_000);
    await new Promise((r) => setTimeout(r, 1100));
    let claimed = 0;
    runner.on('job:claimed', () => claimed++);
    // From here on a yield can only begin once the held request is in, so no claim comes before
    // a full SWITCHBOARD_DISPATCH_YIELD_MS after it was sent.
    const heldSent = performance.now();
    held = await sendHalfARequest(gw.url);
    const to = '+14252030001';
    const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: `tel:${to}`, message: 'behind a burst' } } });
    assert.equal(res.status, 201, res.text);
    // Without the yield the claim follows the commit within milliseconds.
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(150, heldSent + 950 - performance.now()))));
    assert.equal(claimed, 0, 'the submit waits while a request is waiting');
    held.socket.destroy();
    const [mt] = await handsetReceives(gw, to, 1, 10_000);
    assert.equal(mt.text, 'behind a burst');
    assert.equal(claimed, 1);
  } finally {
    // An unanswered request would hold up the gateway's close for the request timeout.
    held?.socket.destroy();
    await gw.close();
  }
});
