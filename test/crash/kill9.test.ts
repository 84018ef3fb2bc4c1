/**
 * Durable accept, end to end: a real gateway process takes a stream of sends, is killed with
 * SIGKILL mid-stream, and is started again on the same data dir. Every message that got a 201
 * must end up on its handset exactly once; nothing may show twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../helpers/apps.js';
import { ADMIN_TOKEN, send, type TestGateway } from '../helpers/gateway.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const HANDSETS = Array.from({ length: 5 }, (_, i) => `+1425203${String(1000 + i)}`);

interface Child {
  readonly process: ChildProcess;
  readonly url: string;
}

/** Starts `node --import tsx src/main.ts` and resolves with its URL once it logs that it listens. */
function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}\n${err}`)), 60_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /"url":"(http:\/\/[^"]+)".*switchboard listening/.exec(out);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ process: child, url: match[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}\n${err}`));
    });
  });
}

function client(url: string): TestGateway {
  return { request: (method: string, path: string, init?: object) => send(url, method, path, init) } as unknown as TestGateway;
}

async function handsetTexts(url: string): Promise<string[]> {
  const texts: string[] = [];
  for (const h of HANDSETS) {
    const res = await send(url, 'GET', `/sim/v1/handsets/${encodeURIComponent(h)}/messages`);
    assert.equal(res.status, 200, res.text);
    texts.push(...res.json().messages.map((m: { text: string }) => m.text));
  }
  return texts;
}

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
    await new Promise<void>((resolve) => (first.process.exitCode !== null || first.process.signalCode !== null ? resolve() : first.process.once('exit', () => resolve())));
    assert.ok(accepted.size >= killAfter);

    child = await startChild(env);
    const second = child;
    const deadline = Date.now() + 60_000;
    let texts: string[] = [];
    for (;;) {
      texts = await handsetTexts(second.url);
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
    if (child !== undefined && child.process.exitCode === null && child.process.signalCode === null) {
      const exited = new Promise((resolve) => child?.process.once('exit', resolve));
      child.process.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
});
