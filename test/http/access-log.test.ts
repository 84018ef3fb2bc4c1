/**
 * The access log of probes: `/healthz` and `/metrics` answered are debug lines, not info (the
 * operator trial: a load balancer probing every 2 s wrote 43,000 info lines a day), while a probe
 * that fails, and every other request, keeps its info line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { ADMIN_TOKEN, send } from '../helpers/gateway.js';

interface AccessLine {
  readonly level: number;
  readonly method: string;
  readonly url: string;
  readonly status: number;
}

/** A gateway on SQLite logging at `level` into the returned lines (only its access lines kept). */
async function gatewayLogging(t: { after(fn: () => Promise<void>): void }, level: string, env: Record<string, string> = {}): Promise<{ gateway: Gateway; access: AccessLine[] }> {
  const access: AccessLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString('utf8'));
      if (line.msg === 'request completed') access.push({ level: line.level, method: line.req.method, url: line.req.url, status: line.res.statusCode });
      done();
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-access-log-'));
  const gateway = await startGateway(
    loadConfig({ HOST: '127.0.0.1', PORT: '0', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL', ...env }),
    { logger: createLogger(level, sink) },
  );
  t.after(async () => {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { gateway, access };
}

/** Waits until `count` access lines were written: a line is written once the answer is sent, which the client may see first. */
async function written(access: readonly AccessLine[], count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (access.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

test('/healthz and /metrics answered are debug lines; a refused probe and every other request stay info', async (t) => {
  const { gateway, access } = await gatewayLogging(t, 'info');
  assert.equal((await send(gateway.url, 'GET', '/healthz')).status, 200);
  assert.equal((await send(gateway.url, 'GET', '/healthz?from=lb')).status, 200);
  assert.equal((await send(gateway.url, 'HEAD', '/healthz')).status, 200);
  assert.equal((await send(gateway.url, 'GET', '/metrics')).status, 200);
  const refused = await send(gateway.url, 'POST', '/metrics');
  assert.ok(refused.status >= 400, `${refused.status}`);
  assert.equal((await send(gateway.url, 'GET', '/admin/v1/apps', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200);
  await written(access, 2);
  assert.deepEqual(access, [
    { level: 30, method: 'POST', url: '/metrics', status: refused.status },
    { level: 30, method: 'GET', url: '/admin/v1/apps', status: 200 },
  ]);
});

test('at LOG_LEVEL=debug the probes are logged, at debug', async (t) => {
  const { gateway, access } = await gatewayLogging(t, 'debug');
  await send(gateway.url, 'GET', '/healthz');
  await send(gateway.url, 'GET', '/metrics');
  await written(access, 2);
  assert.deepEqual(access, [
    { level: 20, method: 'GET', url: '/healthz', status: 200 },
    { level: 20, method: 'GET', url: '/metrics', status: 200 },
  ]);
});

test('a /healthz that fails (503: the SMSC is unreachable) stays an info line', async (t) => {
  // Port 1 on 127.0.0.1: nothing listens, so the bind never comes up and the gateway is degraded.
  const { gateway, access } = await gatewayLogging(t, 'info', { SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://gw:secret@127.0.0.1:1' });
  assert.equal((await send(gateway.url, 'GET', '/healthz')).status, 503);
  await written(access, 1);
  assert.deepEqual(access, [{ level: 30, method: 'GET', url: '/healthz', status: 503 }]);
});
