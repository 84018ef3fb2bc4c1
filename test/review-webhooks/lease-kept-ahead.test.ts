import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, TEST_STORE, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener, type TestListener } from '../webhooks/listener.js';

/*
 * The webhook claim (src/webhooks/slots.ts ListenerLimitedJobs) takes up to
 * SWITCHBOARD_WEBHOOK_CONCURRENCY more of a listener's jobs than it can start and keeps them in
 * memory, each leased for 6 × SWITCHBOARD_WEBHOOK_TIMEOUT_MS + 5 s (engine.ts). That lease is
 * sized for a kept job waiting for one of its listener's slots — not for a runner worker: with
 * fewer workers (SWITCHBOARD_DISPATCH_CONCURRENCY) than per-listener slots, kept jobs start one
 * worker at a time, and the later ones start after their lease ran out. Another instance on the
 * same PostgreSQL database claims them meanwhile: the listener gets them twice.
 */

const gateways: TestGateway[] = [];
const listeners: TestListener[] = [];
after(async () => {
  for (const g of gateways.reverse()) await g.close();
  await Promise.all(listeners.map((l) => l.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('notifications claimed ahead are not sent twice by two instances', { skip: TEST_STORE !== 'postgres' }, async () => {
  const settings = {
    SWITCHBOARD_DISPATCH_CONCURRENCY: process.env.REVIEW_WORKERS ?? '2',
    SWITCHBOARD_WEBHOOK_CONCURRENCY: '60',
    SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '3000', // lease 23 s; attempts are cut after 9 s
  };
  // Each POST takes 1 s, far within the 3 s timeout; the first one holds while the backlog builds.
  const listener = await startListener(() => ({ status: 200, delayMs: 1000 }));
  listeners.push(listener);
  const a = await startTestGateway(settings);
  gateways.push(a);
  await createApp(a, { shortCodes: [{ shortCode: '22627600', moDelivery: 'callback', listenerUrl: listener.url }] });
  await sendMo(a, '+14255556000', '22627600', 'first');
  await listener.waitFor(1);
  const TOTAL = 80;
  await Promise.all(Array.from({ length: TOTAL - 1 }, (_, i) => sendMo(a, `+14255561${String(i).padStart(3, '0')}`, '22627600', `mo ${i}`)));
  // A claims its batch (2 at once + 60 kept ahead: 30 s of POSTs) when the first POST ends; then a second instance starts.
  await listener.waitFor(2);
  const b = await startTestGateway({ ...settings, SWITCHBOARD_DATABASE_URL: a.env.SWITCHBOARD_DATABASE_URL! });
  gateways.push(b);

  const deadline = Date.now() + 90_000;
  const distinct = () => new Set(listener.received.map((r) => String(r.headers['x-switchboard-event-id']))).size;
  while (distinct() < TOTAL && Date.now() < deadline) await sleep(200);
  await sleep(3000);
  const counts = new Map<string, number>();
  for (const r of listener.received) {
    const id = String(r.headers['x-switchboard-event-id']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const twice = [...counts].filter(([, n]) => n > 1);
  const t0 = listener.received[0]!.at;
  if (process.env.REVIEW_DEBUG) for (const [id] of twice) console.log(id, listener.received.filter((r) => r.headers['x-switchboard-event-id'] === id).map((r) => r.at - t0));
  assert.equal(distinct(), TOTAL, 'every MO notified');
  assert.equal(twice.length, 0, `${twice.length} of ${TOTAL} notifications POSTed more than once (every POST was answered 200 in time)`);
});
