/**
 * Durable accept, end to end: a real gateway process takes a stream of sends, is killed with
 * SIGKILL mid-stream, and is started again on the same data dir. Every message that got a 201
 * must end up on its handset exactly once; nothing may show twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../helpers/apps.js';
import { ADMIN_TOKEN, send } from '../helpers/gateway.js';
import { client, handsetTexts, startChild, stopChild, type Child } from './child.js';

const HANDSETS = Array.from({ length: 5 }, (_, i) => `+1425203${String(1000 + i)}`);

test('kill -9 mid-stream: every accepted message reaches its handset exactly once after a restart, and goes final without waiting out the leases', { timeout: 180_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-crash-'));
  const env = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_DATABASE_URL: '',
    SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN,
    SWITCHBOARD_NETWORK: 'simulator',
    SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '20',
    // Longer than the test waits: on SQLite the restarted process is the only one, so the jobs the
    // killed one had claimed are due again at its start, not when their lease runs out.
    SWITCHBOARD_JOB_LEASE_MS: '120000',
  };
  let child: Child | undefined;
  try {
    child = await startChild(env);
    const first = child;
    const app = await createApp(client(first.url), { shortCodes: [{ shortCode: '22627600', moDelivery: 'poll' }] });

    const accepted = new Map<string, string>();
    const ids: string[] = [];
    let seq = 0;
    let killed = false;
    const killAfter = 120;
    const worker = async () => {
      while (!killed) {
        const i = seq++;
        const text = `crash ${i}`;
        const to = HANDSETS[i % HANDSETS.length]!;
        try {
          const res = await send(first.url, 'POST', '/sms/v3/messaging/outbox', {
            headers: app.auth,
            body: { outboundSMSRequest: { address: `tel:${to}`, message: text } },
          });
          if (res.status === 201) {
            accepted.set(text, to);
            ids.push(res.json().outboundSMSResponse.messageId as string);
          }
        } catch {
          // The connection died with the process: this send was not accepted.
        }
        if (!killed && accepted.size >= killAfter) {
          killed = true;
          first.process.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await first.exited;
    assert.ok(accepted.size >= killAfter);

    child = await startChild(env);
    const second = child;
    const deadline = Date.now() + 60_000;
    let texts: string[] = [];
    for (;;) {
      texts = await handsetTexts(second.url, HANDSETS);
      if ([...accepted.keys()].every((t) => texts.includes(t))) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const missing = [...accepted.keys()].filter((t) => !texts.includes(t));
    assert.deepEqual(missing, [], `${missing.length} accepted message(s) never arrived`);
    const seen = new Map<string, number>();
    for (const t of texts) seen.set(t, (seen.get(t) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([t]) => t);
    assert.deepEqual(twice, [], 'no message shows twice on a handset');
    for (const [text, to] of accepted) {
      const res = await send(second.url, 'GET', `/sim/v1/handsets/${encodeURIComponent(to)}/messages`);
      assert.ok(res.json().messages.some((m: { text: string }) => m.text === text), `${text} is on ${to}`);
    }
    // And final, without waiting out the killed process's leases (a final status is read once).
    const open = new Set(ids);
    while (open.size > 0 && Date.now() < deadline) {
      for (const id of open) {
        const res = await send(second.url, 'GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
        if (res.json().DeliveryInfoList?.DeliveryInfo?.[0]?.DeliveryStatus === 'DeliveredToTerminal') open.delete(id);
      }
      if (open.size > 0) await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual([...open], [], `${open.size} accepted message(s) never went final`);
  } finally {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  }
});
