/**
 * Graceful stop, end to end, on both stores: a real gateway process takes a stream of sends, gets
 * SIGTERM mid-stream, and is started again on the same data dir (or database). It exits 0; every
 * message that got a 201 reaches its handset exactly once; and none reaches a handset whose sender
 * got no 201 (an accept whose answer was lost in the stop: a client would send it again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../helpers/apps.js';
import { ADMIN_TOKEN, send, TEST_STORE } from '../helpers/gateway.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { client, handsetTexts, startChild, stopChild, type Child } from './child.js';

const HANDSETS = Array.from({ length: 5 }, (_, i) => `+1425204${String(1000 + i)}`);
/** Sends in all; SIGTERM once STOP_AFTER were accepted, and the rest meet the stop. */
const SENDS = 400;
const STOP_AFTER = 100;

test('SIGTERM mid-stream: exit 0, every accepted message on its handset once after a restart, none accepted without its 201', { timeout: 180_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-sigterm-'));
  const database = TEST_STORE === 'postgres' ? await createTestDatabase() : undefined;
  const env = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_DATABASE_URL: database?.url ?? '',
    SWITCHBOARD_DATABASE_POOL_SIZE: '4',
    SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN,
    SWITCHBOARD_NETWORK: 'simulator',
    // Deliveries still pending at the stop: the restarted process must finish them.
    SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '200',
  };
  let child: Child | undefined;
  try {
    child = await startChild(env);
    const first = child;
    const app = await createApp(client(first.url), { shortCodes: [{ shortCode: '22627610', moDelivery: 'poll' }] });
    const accepted = new Set<string>();
    /** What the other sends got instead of a 201. */
    const other = new Map<string, string>();
    let seq = 0;
    let stopped = false;
    const worker = async () => {
      for (let i = seq++; i < SENDS && first.process.exitCode === null; i = seq++) {
        const text = `term ${i}`;
        try {
          const res = await send(first.url, 'POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: `tel:${HANDSETS[i % HANDSETS.length]}`, message: text } } });
          if (res.status === 201) accepted.add(text);
          else other.set(text, String(res.status));
        } catch (err) {
          other.set(text, (err as Error).message);
        }
        if (!stopped && accepted.size >= STOP_AFTER) {
          stopped = true;
          first.process.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal(await first.exited, 0, 'a graceful stop exits 0');

    child = await startChild(env);
    const second = child;
    const deadline = Date.now() + 60_000;
    let texts: string[] = [];
    while (![...accepted].every((t) => texts.includes(t)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      texts = await handsetTexts(second.url, HANDSETS);
    }
    // A second more, for a copy sent twice to arrive.
    await new Promise((r) => setTimeout(r, 1000));
    texts = await handsetTexts(second.url, HANDSETS);
    assert.deepEqual([...accepted].filter((t) => !texts.includes(t)), [], 'accepted message(s) never arrived');
    const seen = new Map<string, number>();
    for (const t of texts) seen.set(t, (seen.get(t) ?? 0) + 1);
    assert.deepEqual([...seen].filter(([, n]) => n > 1).map(([t]) => t), [], 'no message twice');
    const unanswered = texts.filter((t) => !accepted.has(t)).map((t) => `${t}: ${other.get(t) ?? 'never sent?'}`);
    assert.deepEqual(unanswered, [], 'messages delivered whose sender got no 201');
  } finally {
    await stopChild(child);
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
