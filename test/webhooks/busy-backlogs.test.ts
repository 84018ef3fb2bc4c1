import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener, type TestListener } from './listener.js';

/*
 * README: "One slow listener does not hold up the others … A notification queued behind a busy
 * listener's backlog is found within 200 ms". The listener claim looked past busy listeners for
 * three more pages of 16 due jobs only: behind the backlogs of four or more busy listeners, one
 * after the other, another listener's notification was not claimed until they had drained.
 */

let gw: TestGateway;
const listeners: TestListener[] = [];

before(async () => {
  gw = await startTestGateway({ SWITCHBOARD_WEBHOOK_CONCURRENCY: '1', SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '10000' });
});
after(async () => {
  await gw.close();
  await Promise.all(listeners.map((l) => l.close()));
});

test('a quick listener behind the backlogs of 6 slow listeners is notified at once', async () => {
  for (let i = 0; i < 6; i += 1) {
    // Slow but within the timeout: each POST takes 8 s, so each listener's one slot stays taken.
    const slow = await startListener(() => ({ status: 200, delayMs: 8000 }));
    listeners.push(slow);
    const code = String(22627400 + i);
    await createApp(gw, { shortCodes: [{ shortCode: code, moDelivery: 'callback', listenerUrl: slow.url }] });
    // A burst of 20 replies to this app, due before the next app's burst.
    await Promise.all(Array.from({ length: 20 }, (_, n) => sendMo(gw, `+1425555${String(1000 + i * 100 + n)}`, code, `reply ${n}`)));
  }
  const quick = await startListener();
  listeners.push(quick);
  await createApp(gw, { shortCodes: [{ shortCode: '22627499', moDelivery: 'callback', listenerUrl: quick.url }] });
  const sentAt = Date.now();
  await sendMo(gw, '+14255559999', '22627499', 'hello quick');
  const got = await quick.waitFor(1, 3000).catch(() => quick.received);
  assert.equal(got.length, 1, `not notified within 3 s (waited ${Date.now() - sentAt} ms)`);
});
