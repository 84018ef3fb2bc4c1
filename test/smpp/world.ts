/**
 * Test worlds for SMPP end to end: a simulator SMSC (in this process, or as `switchboard smsc` in
 * a child process) and a gateway in `smpp` mode bound to it, plus the helpers the suites share.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { type RunningSmsc, startSmsc } from '../../src/network/sim-smsc/standalone.js';
import { createApp, type TestApp } from '../helpers/apps.js';
import { send, startTestGateway, type TestGateway, type TestResponse } from '../helpers/gateway.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { ControlledReceiptSmsc } from './fake-smsc.js';
import { nodeEntry, ROOT } from '../helpers/root.js';


/** Quick retries and reconnects so a suite watching messages travel takes seconds. */
export const FAST_SMPP: Record<string, string> = {
  SWITCHBOARD_RETRY_BASE_MS: '50',
  SWITCHBOARD_RETRY_CAP_MS: '400',
  SWITCHBOARD_SMPP_RECONNECT_BASE_MS: '50',
  SWITCHBOARD_SMPP_RECONNECT_CAP_MS: '300',
  SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS: '1500',
  SWITCHBOARD_SMPP_ENQUIRE_LINK_MS: '1000',
  SWITCHBOARD_SMPP_THROTTLE_BACKOFF_MS: '40',
  SWITCHBOARD_SMPP_RECEIPT_RETRY_MS: '100',
  SWITCHBOARD_SMPP_PART_RECEIPT_GRACE_S: '3',
};

/** The simulator side: fast deliveries and its own retries. */
export const FAST_SIM: Record<string, string> = {
  SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5',
  SWITCHBOARD_RETRY_BASE_MS: '50',
  SWITCHBOARD_RETRY_CAP_MS: '400',
};

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface Smsc {
  readonly smppPort: number;
  readonly url: string;
  request(method: string, path: string, body?: object): Promise<TestResponse>;
  /** Messages on a handset (the simulator's /sim/v1 view). */
  handset(number: string): Promise<Array<{ from: string; text: string; encoding: string; segments: number }>>;
  /** Sends an MO from a handset to a short code. */
  mo(from: string, to: string, text: string): Promise<void>;
  close(): Promise<void>;
}

function smscFacade(url: string, smppPort: number, close: () => Promise<void>): Smsc {
  const request = (method: string, path: string, body?: object) => send(url, method, path, body === undefined ? {} : { body });
  return {
    smppPort,
    url,
    request,
    handset: async (number) => {
      const res = await request('GET', `/sim/v1/handsets/${encodeURIComponent(number)}/messages`);
      assert.equal(res.status, 200, res.text);
      return res.json().messages;
    },
    mo: async (from, to, text) => {
      const res = await request('POST', `/sim/v1/handsets/${encodeURIComponent(from)}/messages`, { to, text });
      assert.equal(res.status, 202, res.text);
    },
    close,
  };
}

/** A simulator SMSC in this process, on its own SQLite data dir (on `smppPort`, or any free port). */
export async function inProcessSmsc(env: Record<string, string> = {}, smppPort = 0): Promise<Smsc & { running: RunningSmsc; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-smsc-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_TOKEN: 'smsc-admin-token-0123456789',
    SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL',
    ...FAST_SIM,
    ...env,
  });
  const running = await startSmsc(config, { smppPort });
  return {
    ...smscFacade(running.url, running.smppPort, async () => {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    }),
    running,
    dataDir,
  };
}

export interface SmscProcess extends Smsc {
  readonly child: ChildProcess;
  readonly dataDir: string;
  /** SIGKILL: no unbind, no flush — a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same SMPP port and data dir. */
  restart(): Promise<SmscProcess>;
}

/** `switchboard smsc --port N` (src/cli.ts) in a child process. */
export async function smscProcess(env: Record<string, string> = {}, given?: { port: number; dataDir: string }): Promise<SmscProcess> {
  const port = given?.port ?? (await freePort());
  const dataDir = given?.dataDir ?? (await mkdtemp(join(tmpdir(), 'switchboard-smsc-')));
  const child = spawn(process.execPath, [...nodeEntry('src/cli.ts'), 'smsc', '--port', String(port)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_TOKEN: 'smsc-admin-token-0123456789',
      // WAL with NORMAL survives a killed process (only an OS crash could lose the last commits).
      SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL',
      // A killed SMSC's leased work (a delivery it had claimed) is taken over by its next start
      // only once the lease expires: keep that well inside the tests' waits on a loaded machine.
      SWITCHBOARD_JOB_LEASE_MS: '2000',
      ...FAST_SIM,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /switchboard smsc: smpp=127\.0\.0\.1:\d+ http=(\S+)/.exec(out);
      if (m?.[1]) {
        child.stdout?.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`smsc exited with ${code}: ${stderr}${out}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const facade = smscFacade(url, port, async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    ...facade,
    child,
    dataDir,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    restart: async () => {
      await stop();
      return smscProcess(env, { port, dataDir });
    },
  };
}

export interface SmppWorld {
  readonly gw: TestGateway;
  readonly app: TestApp;
  /** Sends one message (AT&T v3), returns its id; `notify` asks for a delivery notification. */
  sendSms(to: string, message: string, notify?: boolean): Promise<string>;
  /** Polls the delivery status until it is final; returns it. */
  finalStatus(id: string, timeoutMs?: number): Promise<string>;
  /**
   * The final status of each message, in order (the last status seen for any still open at the
   * timeout). Polls one message at a time, so watching many does not load the gateway under test.
   */
  finalStatuses(ids: readonly string[], timeoutMs?: number): Promise<string[]>;
  /** The gateway's SMSC link report (`GET /admin/v1/smsc-links` data). */
  report(): ReturnType<NonNullable<TestGateway['gateway']['ctx']['smpp']>['report']>;
}

export const SHORT_CODE = '22627400';

/**
 * A gateway in `smpp` mode bound to `smppPort`, with an app holding SHORT_CODE. With `waitBound`
 * false it returns at once, even when nothing listens there yet (messages then wait, accepted).
 */
export async function smppGateway(
  smppPort: number,
  env: Record<string, string> = {},
  deliveryStatusUrl?: string,
  options: { waitBound?: boolean } = {},
): Promise<SmppWorld> {
  const gw = await startTestGateway({
    SWITCHBOARD_NETWORK: 'smpp',
    SWITCHBOARD_SMPP_URL: `smpp://switchboard:secret@127.0.0.1:${smppPort}`,
    ...FAST_SMPP,
    ...env,
  });
  const app = await createApp(gw, { shortCodes: [{ shortCode: SHORT_CODE, moDelivery: 'poll' }], ...(deliveryStatusUrl ? { deliveryStatusUrl } : {}) });
  if (options.waitBound ?? true) await waitUntil(() => gw.gateway.ctx.outbound.connector.isUp(), 5000, 'smpp link bound');
  return {
    gw,
    app,
    sendSms: async (to, message, notify = false) => {
      const body = { outboundSMSRequest: { address: `tel:${to}`, message, ...(notify ? { notifyDeliveryStatus: true } : {}) } };
      const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body });
      assert.equal(res.status, 201, res.text);
      return res.json().outboundSMSResponse.messageId as string;
    },
    finalStatus: async (id, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
        assert.equal(res.status, 200, res.text);
        const status = res.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus as string;
        if (status === 'DeliveredToTerminal' || status === 'DeliveryImpossible') return status;
        if (Date.now() > deadline) return status;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    finalStatuses: async (ids, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      const result = new Map<string, string>();
      for (;;) {
        for (const id of ids) {
          const known = result.get(id);
          if (known === 'DeliveredToTerminal' || known === 'DeliveryImpossible') continue;
          const res = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
          assert.equal(res.status, 200, res.text);
          result.set(id, res.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus as string);
        }
        const open = ids.filter((id) => !/^(DeliveredToTerminal|DeliveryImpossible)$/.test(result.get(id) ?? ''));
        if (open.length === 0 || Date.now() > deadline) return ids.map((id) => result.get(id) ?? 'unknown');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    report: () => {
      const smpp = gw.gateway.ctx.smpp;
      if (!smpp) throw new Error('not in smpp mode');
      return smpp.report();
    },
  };
}

/**
 * Two gateways on one fresh PostgreSQL database, bound to one SMSC under their own system_ids
 * (`one`, `two`), so the SMSC tells which instance submitted a part; both bound, with an app
 * holding SHORT_CODE created through `one`. Everything goes when `t` ends.
 */
export async function twoSmppInstances(
  t: TestContext,
  env: Record<string, string> = {},
): Promise<{ smsc: ControlledReceiptSmsc; instances: Map<string, TestGateway>; app: TestApp }> {
  const database = await createTestDatabase();
  const smsc = await new ControlledReceiptSmsc().start();
  t.after(async () => {
    await smsc.stop();
    await database.drop();
  });
  const gateway = (systemId: string) =>
    startTestGateway({
      SWITCHBOARD_NETWORK: 'smpp',
      SWITCHBOARD_SMPP_URL: `smpp://${systemId}:secret@127.0.0.1:${smsc.port}`,
      ...FAST_SMPP,
      ...env,
      SWITCHBOARD_DATABASE_URL: database.url,
    });
  const instances = new Map<string, TestGateway>([
    ['one', await gateway('one')],
    ['two', await gateway('two')],
  ]);
  t.after(async () => {
    for (const gw of instances.values()) await gw.close();
  });
  await waitUntil(() => [...instances.values()].every((gw) => gw.gateway.ctx.outbound.connector.isUp()), 5000, 'both bound');
  const front = instances.get('one');
  assert.ok(front);
  const app = await createApp(front, { shortCodes: [{ shortCode: SHORT_CODE, moDelivery: 'poll' }] });
  return { smsc, instances, app };
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A delivery-status listener that counts what it is sent. */
export interface DeliveryInfo {
  readonly address: string;
  readonly deliveryStatus: string;
}

export interface NotificationSink {
  readonly url: string;
  readonly bodies: unknown[];
  /** The OneAPI delivery notifications' `deliveryInfo`, in the order they came. */
  deliveryInfos(): DeliveryInfo[];
  /** The statuses notified for `to` (E.164), in the order they came. */
  statusesFor(to: string): string[];
  close(): Promise<void>;
}

export async function notificationSink(): Promise<NotificationSink> {
  const bodies: unknown[] = [];
  const server = createHttpServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      try {
        bodies.push(JSON.parse(data));
      } catch {
        bodies.push(data);
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const deliveryInfos = () => bodies.map((b) => (b as { deliveryInfoNotification: { deliveryInfo: DeliveryInfo } }).deliveryInfoNotification.deliveryInfo);
  return {
    url: `http://127.0.0.1:${port}/dr`,
    bodies,
    deliveryInfos,
    statusesFor: (to) => deliveryInfos().filter((d) => d.address === `tel:${to}`).map((d) => d.deliveryStatus),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
