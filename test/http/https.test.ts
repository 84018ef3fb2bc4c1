/**
 * The HTTPS listener (SWITCHBOARD_TLS_CERT, SWITCHBOARD_TLS_KEY): the API over TLS with https
 * resource URLs (plain HTTP on its port: https-plain-http.test.ts), and the certificate replaced
 * without a restart (SIGHUP), a bad replacement refused. Certificates: test/fixtures/tls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from 'node:tls';
import { Agent, fetch } from 'undici';
import { createApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { nodeEntry, repoFile, ROOT } from '../helpers/root.js';

const fixture = (name: string) => repoFile(`test/fixtures/tls/${name}`);
const trusting = new Agent({ connect: { ca: [readFileSync(fixture('localhost.crt')), readFileSync(fixture('client.crt'))] } });

/** The test gateway, its requests over TLS trusting the test certificates. */
function overTls(gw: TestGateway): TestGateway {
  return {
    ...gw,
    request: async (method, path, init = {}) => {
      const headers: Record<string, string> = { ...init.headers };
      let body: string | undefined;
      if (typeof init.body === 'string') body = init.body;
      else if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(gw.url + path, { method, headers, body, dispatcher: trusting });
      const text = await res.text();
      return { status: res.status, headers: res.headers as unknown as Headers, text, json: () => JSON.parse(text) };
    },
  };
}

/** The common name of the certificate the server at `port` presents now. */
function servedName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const name = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(String(name));
    });
    socket.on('error', reject);
  });
}

test('HTTPS: the API over TLS with https resource URLs', async (t) => {
  const gw = overTls(await startTestGateway({ SWITCHBOARD_TLS_CERT: fixture('localhost.crt'), SWITCHBOARD_TLS_KEY: fixture('localhost.key') }));
  t.after(() => gw.close());
  assert.match(gw.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(gw.gateway.ctx.config.publicUrl, `https://127.0.0.1:${gw.gateway.ctx.config.port}`, 'the default public URL follows');
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627810', moDelivery: 'poll' }] });
  const sent = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: 'tel:+14255550801', message: 'over https' } } });
  assert.equal(sent.status, 201, sent.text);
  assert.match(sent.json().outboundSMSResponse.resourceReference.resourceURL, new RegExp(`^${gw.url}/sms/v3/messaging/outbox/`));
});

test('HTTPS: SIGHUP serves a renewed certificate to new connections; a pair that does not match is refused and the old one stays', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-https-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'api.crt');
  const key = join(dir, 'api.key');
  copyFileSync(fixture('localhost.crt'), cert);
  copyFileSync(fixture('localhost.key'), key);
  const gw = overTls(await startTestGateway({ SWITCHBOARD_TLS_CERT: cert, SWITCHBOARD_TLS_KEY: key }));
  t.after(() => gw.close());
  const port = Number(new URL(gw.url).port);
  assert.equal(await servedName(port), 'localhost');

  // A renewal copied halfway: the new certificate, the old key.
  copyFileSync(fixture('client.crt'), cert);
  assert.equal(gw.gateway.reloadTls(), false);
  assert.equal(await servedName(port), 'localhost', 'the certificate in use stays');
  // Last year's pair copied back: it matches, but it has expired.
  copyFileSync(fixture('expired.crt'), cert);
  copyFileSync(fixture('expired.key'), key);
  assert.equal(gw.gateway.reloadTls(), false);
  assert.equal(await servedName(port), 'localhost');
  copyFileSync(fixture('client.crt'), cert);
  writeFileSync(key, readFileSync(fixture('client.key')));
  assert.equal(gw.gateway.reloadTls(), true);
  assert.equal(await servedName(port), 'switchboard-esme');
});

/** `node src/main.ts` in a child process: its listening URL, its log lines, and a way to wait for one. */
async function gatewayProcess(t: { after(fn: () => Promise<void>): void }, dir: string, env: Record<string, string>) {
  const child = spawn(process.execPath, nodeEntry('src/main.ts'), {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_ADMIN_TOKEN: 'test-admin-token-0123456789', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const lines = createInterface({ input: child.stdout });
  /** Resolves at the first log line containing `text`; rejects if the process ends first. */
  const logged = (text: string) =>
    new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => line.includes(text) && resolve(line));
      child.once('exit', (code, signal) => reject(new Error(`the gateway exited (${signal ?? code}) before logging "${text}"`)));
    });
  const url = (JSON.parse(await logged('switchboard listening')) as { url: string }).url;
  return { child, url, logged };
}

test('HTTPS: the gateway process takes SIGHUP as "reload the certificate", and goes on serving', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-https-'));
  const cert = join(dir, 'api.crt');
  const key = join(dir, 'api.key');
  copyFileSync(fixture('localhost.crt'), cert);
  copyFileSync(fixture('localhost.key'), key);
  const gw = await gatewayProcess(t, dir, { SWITCHBOARD_TLS_CERT: cert, SWITCHBOARD_TLS_KEY: key });
  const port = Number(new URL(gw.url).port);
  assert.equal(await servedName(port), 'localhost');
  copyFileSync(fixture('client.crt'), cert);
  copyFileSync(fixture('client.key'), key);
  const reloaded = gw.logged('https certificate reloaded');
  gw.child.kill('SIGHUP');
  await reloaded;
  assert.equal(await servedName(port), 'switchboard-esme');
  assert.equal(gw.child.exitCode, null, 'still running');
});

test('without HTTPS a SIGHUP is logged and the gateway goes on (a hangup killed it without its graceful stop)', async (t) => {
  const gw = await gatewayProcess(t, mkdtempSync(join(tmpdir(), 'switchboard-hup-')), {});
  const told = gw.logged('nothing to reload');
  gw.child.kill('SIGHUP');
  await told;
  const res = await fetch(`${gw.url}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(gw.child.exitCode, null);
});
