import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ADMIN_TOKEN, send, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { startListener } from '../webhooks/listener.js';
import { nodeEntry, ROOT } from '../helpers/root.js';


interface Child {
  readonly url: string;
  readonly process: ChildProcess;
  readonly gw: TestGateway;
}

/** `node --import tsx src/main.ts` over `dataDir` on 127.0.0.1:0; resolves once it listens. */
function startChild(dataDir: string): Promise<Child> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN,
    SWITCHBOARD_RETRY_BASE_MS: '100',
    SWITCHBOARD_RETRY_CAP_MS: '300',
    SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '500',
    SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '10',
  };
  delete env.SWITCHBOARD_DATABASE_URL;
  const child = spawn(process.execPath, nodeEntry('src/main.ts'), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.includes('switchboard listening')) return;
      const url = JSON.parse(line).url as string;
      const gw = { url, request: (method: string, path: string, init?: object) => send(url, method, path, init) } as unknown as TestGateway;
      resolve({ url, process: child, gw });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
  });
}

function kill9(child: Child): Promise<void> {
  return new Promise((resolve) => {
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kill -9 while MO callbacks and delivery notifications are pending loses none of them', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-crash-'));
  let up = false;
  // Refuses everything until the gateway has been killed, then acknowledges.
  const listener = await startListener(() => (up ? 200 : 503));
  let child: Child | undefined;
  try {
    child = await startChild(dataDir);
    const app = await createApp(child.gw, {
      shortCodes: [{ shortCode: '22627600', moDelivery: 'callback', listenerUrl: `${listener.origin}/mo` }],
      deliveryStatusUrl: `${listener.origin}/dr`,
    });
    const texts = Array.from({ length: 12 }, (_, i) => `pending ${i}`);
    for (const text of texts) {
      const res = await child.gw.request('POST', '/sim/v1/handsets/%2B14255550150/messages', { body: { to: '22627600', text } });
      assert.equal(res.status, 202, res.text);
    }
    const sent = await child.gw.request('POST', '/sms/v3/messaging/outbox', {
      headers: app.auth,
      body: { outboundSMSRequest: { address: ['tel:+14255550151', 'tel:+14255550152'], message: 'status please', notifyDeliveryStatus: true } },
    });
    assert.equal(sent.status, 201, sent.text);
    const messageId = sent.json().outboundSMSResponse.messageId;

    // Every notification has been tried (and refused) at least once: they are all pending.
    const tried = () => new Set(listener.received.map((r) => String(r.headers['x-switchboard-event-id'])));
    for (let i = 0; i < 100 && tried().size < texts.length + 2; i += 1) await sleep(100);
    assert.equal(tried().size, texts.length + 2, 'all 14 notifications attempted before the kill');
    await kill9(child);
    child = undefined;

    up = true;
    const before = listener.received.length;
    child = await startChild(dataDir);
    const acked = () => listener.received.slice(before);
    for (let i = 0; i < 300 && new Set(acked().map((r) => r.headers['x-switchboard-event-id'])).size < texts.length + 2; i += 1) await sleep(100);
    await sleep(500);

    const after = acked();
    const mo = after.filter((r) => r.path === '/mo').map((r) => JSON.parse(r.body).Message);
    const dr = after.filter((r) => r.path === '/dr').map((r) => JSON.parse(r.body).deliveryInfoNotification);
    assert.deepEqual([...new Set(mo)].sort(), [...texts].sort(), 'every MO callback delivered after the restart');
    assert.equal(mo.length, texts.length, 'each once: nothing was acknowledged before the kill');
    assert.deepEqual(dr.map((n) => n.deliveryInfo.address).sort(), ['tel:+14255550151', 'tel:+14255550152']);
    for (const n of dr) assert.equal(n.messageId, messageId);
  } finally {
    if (child !== undefined) await kill9(child);
    await listener.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
