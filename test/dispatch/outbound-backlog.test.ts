import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../helpers/apps.js';
import { TEST_STORE, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { waitFor } from '../http/send-helpers.js';

const HANDSETS = Array.from({ length: 10 }, (_, i) => `+1425202${String(1000 + i)}`);

async function enqueue(gw: TestGateway, appId: string, count: number, tag: string): Promise<void> {
  const outbox = gw.gateway.ctx.outbound.outbox;
  const batch = 100;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, (_, j) => {
        const i = start + j;
        return outbox.send(
          { api: 'att-v3', appId, sender: '22627500', address: HANDSETS[i % HANDSETS.length], message: `${tag} ${i}`, receipt: { mode: 'none' }, notify: async () => ({ mode: 'none' }), clientCorrelator: null, idempotencyKey: null },
          () => ({ status: 201, location: null, body: {} }),
        );
      }),
    );
  }
}

async function delivered(gw: TestGateway, tag: string): Promise<number> {
  let n = 0;
  for (const h of HANDSETS) n += (await gw.gateway.ctx.store.handsets.messages(h, 'MT', { limit: 100_000 })).filter((m) => m.text.startsWith(`${tag} `)).length;
  return n;
}

test('a backlog queued while the network is down waits untouched, then streams out in bounded claims', async () => {
  const gw = await startTestGateway({ SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '0', SWITCHBOARD_DISPATCH_CONCURRENCY: '16' });
  try {
    const app = await createApp(gw, { shortCodes: [{ shortCode: '22627500', moDelivery: 'poll' }] });
    const { runner, simulator } = gw.gateway.ctx.outbound;
    assert.ok(simulator);
    let claimed = 0;
    let inFlight = 0;
    let peak = 0;
    runner.on('job:claimed', () => {
      claimed++;
      inFlight++;
      peak = Math.max(peak, inFlight);
    });
    for (const done of ['job:completed', 'job:retry', 'job:exhausted', 'job:lost'] as const) runner.on(done, () => inFlight--);

    simulator.setLinkUp(false);
    // PostgreSQL commits cost a round trip and an fsync each: the same property, at a lower volume.
    const count = TEST_STORE === 'postgres' ? 500 : 2000;
    await enqueue(gw, app.id, count, 'backlog');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(claimed, 0, 'nothing is claimed while the link is down');
    assert.equal((await gw.gateway.ctx.store.jobs.backlog(Date.now())).ready, count);

    const up = Date.now();
    let firstDone = 0;
    runner.once('job:completed', () => {
      firstDone = Date.now();
    });
    let completed = 0;
    runner.on('job:completed', () => completed++);
    simulator.setLinkUp(true);
    // The API keeps answering while the backlog drains (a synchronous store must not starve it).
    const health = await gw.request('GET', '/healthz');
    assert.equal(health.status, 200);
    assert.ok(completed < count, `/healthz was answered only after the whole backlog (${completed} submits)`);
    // Drained when no job is left at all (submits and the network's deliveries), however far ahead.
    await waitFor(async () => ((await gw.gateway.ctx.store.jobs.backlog(Date.now() + 3_600_000)).ready === 0 ? true : undefined), 60_000, 'the backlog to drain');
    assert.ok(firstDone - up < 5000, `sending resumed ${firstDone - up} ms after the link came back`);
    assert.equal(await delivered(gw, 'backlog'), count);
    assert.equal(claimed, count, 'every submit ran once');
    assert.ok(peak <= 16, `at most the concurrency in flight (peak ${peak})`);
  } finally {
    await gw.close();
  }
});

test('a restarted gateway picks up what the old one had queued', async () => {
  const first = await startTestGateway({ SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '0' });
  let gw: TestGateway = first;
  try {
    const app = await createApp(first, { shortCodes: [{ shortCode: '22627500', moDelivery: 'poll' }] });
    first.gateway.ctx.outbound.simulator?.setLinkUp(false);
    await enqueue(first, app.id, 200, 'restart');
    gw = await first.restart();
    await waitFor(async () => ((await gw.gateway.ctx.store.jobs.backlog(Date.now() + 3_600_000)).ready === 0 ? true : undefined), 30_000, 'the queue after a restart');
    assert.equal(await delivered(gw, 'restart'), 200);
  } finally {
    await gw.close();
  }
});
