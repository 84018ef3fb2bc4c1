/**
 * design.md §3 / README: `GET /sim/v1/handsets/{number}/messages` answers "the MT messages the
 * handset received, reassembled, oldest first". SimulatedNetwork.receivedMessages
 * (src/network/simulator/network.ts) reads only the newest 1000 (`limit = 1000`), and the route
 * passes no limit and says nothing: past 1000 messages the oldest silently vanish from the answer
 * (and from `switchboard handset show`), though the handset still holds them for the retention.
 * A user load-testing one number sees messages "lost".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST, handsetMessages, waitFor } from '../http/send-helpers.js';

let gw: TestGateway;
let app: TestApp;

before(async () => {
  gw = await startTestGateway({ ...FAST, SWITCHBOARD_DISPATCH_YIELD_MS: '0' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627900', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

test('a handset that received 1005 messages shows all 1005, the first one included', { timeout: 240_000 }, async () => {
  const to = '+14252099001';
  const total = 1005;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
        headers: app.auth,
        body: { outboundSMSRequest: { address: `tel:${to}`, message: `msg ${String(i).padStart(4, '0')}` } },
      });
      assert.equal(res.status, 201, res.text);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  // Delivered: the last message sent shows up, then every one of them must be listed.
  await waitFor(async () => ((await handsetMessages(gw, to)).some((m) => m.text === `msg ${String(total - 1).padStart(4, '0')}`) ? true : undefined), 60_000, 'the last message');
  await new Promise((r) => setTimeout(r, 2000));
  const messages = await handsetMessages(gw, to);
  const texts = new Set(messages.map((m: any) => m.text));
  assert.equal(messages.length, total, `the handset lists ${messages.length} of the ${total} messages it received`);
  assert.ok(texts.has('msg 0000'), 'the first message is listed');
});
