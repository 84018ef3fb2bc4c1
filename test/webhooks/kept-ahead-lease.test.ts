import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, TEST_STORE, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener, type TestListener } from './listener.js';

/*
 * The webhook claim keeps jobs ahead of a listener's slots (src/webhooks/slots.ts), each under its
 * claim's lease (6 × SWITCHBOARD_WEBHOOK_TIMEOUT_MS + 5 s). That lease is sized for a kept job
 * waiting for one of its listener's slots, not for a runner worker: it kept a slot's worth
 * (SWITCHBOARD_WEBHOOK_CONCURRENCY) however few workers (SWITCHBOARD_DISPATCH_CONCURRENCY) there
 * were to start them, so the last ones started after their lease had run out, while another
 * instance on the same database claimed and POSTed them too.
 */

const gateways: TestGateway[] = [];
const listeners: TestListener[] = [];
after(async () => {
  for (const g of gateways.reverse()) await g.close();
  await Promise.all(listeners.map((l) => l.close()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Two instances share jobs only on PostgreSQL.
if (TEST_STORE === 'postgres') {
  test('PostgreSQL: notifications claimed ahead by one instance with fewer workers than listener slots are not POSTed again by another', async () => {
    const settings = {
      SWITCHBOARD_DISPATCH_CONCURRENCY: '2',
      SWITCHBOARD_WEBHOOK_CONCURRENCY: '60',
      SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '3000', // a lease of 23 s
    };
    // Each POST takes 1 s, far within the timeout; the first one holds while the backlog builds.
    const listener = await startListener(() => ({ status: 200, delayMs: 1000 }));
    listeners.push(listener);
    const a = await startTestGateway(settings);
    gateways.push(a);
    await createApp(a, { shortCodes: [{ shortCode: '22627600', moDelivery: 'callback', listenerUrl: listener.url }] });
    await sendMo(a, '+14255556000', '22627600', 'first');
    await listener.waitFor(1);
    const TOTAL = 80;
    await Promise.all(Array.from({ length: TOTAL - 1 }, (_, i) => sendMo(a, `+14255561${String(i).padStart(3, '0')}`, '22627600', `mo ${i}`)));
    // A claims its next batch when the first POST ends (it kept 60 ahead: 30 s of POSTs for two
    // workers); then a second instance starts on the same database.
    await listener.waitFor(2);
    const b = await startTestGateway({ ...settings, SWITCHBOARD_DATABASE_URL: a.env.SWITCHBOARD_DATABASE_URL as string });
    gateways.push(b);

    const distinct = () => new Set(listener.received.map((r) => String(r.headers['x-switchboard-event-id']))).size;
    const deadline = Date.now() + 90_000;
    while (distinct() < TOTAL && Date.now() < deadline) await sleep(200);
    // A moment for a late second POST to show.
    await sleep(3000);
    const counts = new Map<string, number>();
    for (const r of listener.received) {
      const id = String(r.headers['x-switchboard-event-id']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    assert.equal(distinct(), TOTAL, 'every MO notified');
    assert.deepEqual(twice, [], 'POSTed more than once, though every POST was answered 200 in time');
  });
}
