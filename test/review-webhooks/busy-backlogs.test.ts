import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener, type TestListener } from '../webhooks/listener.js';

/*
 * README "One slow listener does not hold up the others … A notification queued behind a busy
 * listener's backlog is found within 200 ms". The listener claim (src/store/sql/notifications.ts
 * claimForListeners) looks past busy listeners for at most LOOK_PAST_ROUNDS = 3 extra pages of 16:
 * when the oldest due jobs are the backlogs of 4 or more busy listeners, one after the other,
 * any other listener's notification behind them is never claimed until those backlogs drain.
 */

let gw: TestGateway;
const listeners: TestListener[] = [];

before(async () => {
  gw = await startTestGateway({
    SWITCHBOARD_WEBHOOK_CONCURRENCY: '1',
    SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '10000',
  });
});
after(async () => {
  await gw.close();
  await Promise.all(listeners.map((l) => l.close()));
});

test('a quick listener behind the backlogs of 5 slow listeners is still notified promptly', async () => {
  const SLOW = Number(process.env.REVIEW_SLOW ?? 5);
  const BACKLOG = 20;
  for (let i = 0; i < SLOW; i += 1) {
    // Slow but within the timeout: each POST takes 8 s.
    const slow = await startListener(() => ({ status: 200, delayMs: 8000 }));
    listeners.push(slow);
    const code = String(22627400 + i);
    await createApp(gw, { shortCodes: [{ shortCode: code, moDelivery: 'callback', listenerUrl: slow.url }] });
    // A burst of replies to this app, before the next app's burst.
    for (let n = 0; n < BACKLOG; n += 1) await sendMo(gw, `+1425555${String(1000 + i * 100 + n)}`, code, `reply ${n}`);
  }
  const quick = await startListener(() => 200);
  listeners.push(quick);
  await createApp(gw, { shortCodes: [{ shortCode: '22627499', moDelivery: 'callback', listenerUrl: quick.url }] });
  const sentAt = Date.now();
  await sendMo(gw, '+14255559999', '22627499', 'hello quick');
  const got = await quick.waitFor(1, 5000).catch(() => quick.received);
  assert.equal(got.length, 1, `quick listener's MO not delivered within 5 s (README: found within 200 ms); waited ${Date.now() - sentAt} ms`);
});
