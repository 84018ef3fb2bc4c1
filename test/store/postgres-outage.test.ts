import { spawn } from 'node:child_process';
import pg from 'pg';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { startTestGateway } from '../helpers/gateway.js';
import { createTestDatabase, postgresReachable, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { SESSION_COOKIE } from '../../src/console/session.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { FAST, handsetReceives } from '../http/send-helpers.js';
import { nodeEntry, ROOT } from '../helpers/root.js';

const reachable = await postgresReachable();

/** A test gateway whose PostgreSQL is reached through a TCP proxy the test can cut or freeze. */
async function gatewayBehindProxy(t: { after(fn: () => Promise<void>): void }, env: Record<string, string>) {
  const database = await createTestDatabase();
  const target = new URL(database.url);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const url = new URL(database.url);
  url.port = String(proxy.port);
  const gw = await startTestGateway({ ...FAST, SWITCHBOARD_DATABASE_URL: url.toString(), SWITCHBOARD_DATABASE_RETRY_MS: '300', ...env });
  t.after(async () => {
    proxy.thaw();
    await proxy.restore().catch(() => undefined);
    await gw.close();
    await proxy.close();
    await database.drop();
  });
  return { gw, proxy };
}

test('PostgreSQL goes away under a running gateway: 503 SVC1000 meanwhile, no crash, business as usual once back', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  const { gw, proxy } = await gatewayBehindProxy(t, {});
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627320', moDelivery: 'poll' }] });
  const sendTo = (to: string, path = '/sms/v3/messaging/outbox') =>
    gw.request('POST', path, { headers: app.auth, body: { outboundSMSRequest: { address: `tel:${to}`, message: 'through an outage' } } });

  await proxy.cut();
  const att = await sendTo('+14257320001');
  assert.equal(att.status, 503, att.text);
  assert.equal(att.headers.get('retry-after'), '1');
  assert.deepEqual(att.json(), { RequestError: { ServiceException: { MessageId: 'SVC1000', Text: 'No resources', Variables: '' } } });
  const oneapi = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627320/requests', {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: ['tel:+14257320001'], senderAddress: 'tel:22627320', outboundSMSTextMessage: { message: 'x' } } },
  });
  assert.equal(oneapi.status, 503, oneapi.text);
  assert.equal(oneapi.json().requestError.serviceException.messageId, 'SVC1000');
  const health = await gw.request('GET', '/healthz');
  assert.equal(health.status, 503);
  assert.equal(health.json().store, 'down');
  const token = await gw.request('POST', '/oauth/v4/token', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.appKey, client_secret: app.appSecret }).toString(),
  });
  assert.equal(token.status, 503, token.text);
  assert.equal(token.headers.get('retry-after'), '1');
  assert.deepEqual(token.json(), { error: 'temporarily_unavailable', error_description: 'the store cannot be reached for now; retry later' }, 'an RFC 6749 body on /oauth, naming no server');
  const admin = await gw.request('GET', '/admin/v1/apps', { headers: ADMIN_AUTH });
  assert.equal(admin.status, 503, admin.text);
  assert.equal(admin.headers.get('retry-after'), '1');
  assert.deepEqual(admin.json(), { error: { code: 'unavailable', message: 'the store cannot be reached for now; retry later' } });
  // A console page read during the outage (its session is looked up in the store).
  const page = await gw.request('GET', '/console/apps', { headers: { cookie: `${SESSION_COOKIE}=${'a'.repeat(64)}` } });
  assert.equal(page.status, 503, page.text);
  assert.equal(page.headers.get('retry-after'), '1');
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.text, /cannot be reached for now/);
  assert.ok(page.headers.get('content-security-policy'));
  // Metrics go on without the store: the scrape is whole but for the store's gauges, and says so.
  const metrics = await gw.request('GET', '/metrics');
  assert.equal(metrics.status, 200, metrics.text);
  assert.match(metrics.text, /^switchboard_store_up 0$/m);
  assert.match(metrics.text, /^switchboard_http_requests_total\{/m);
  // The workers keep polling a database that is not there; the process must ride it out.
  await new Promise((r) => setTimeout(r, 800));

  await proxy.restore();
  const res = await sendTo('+14257320002');
  assert.equal(res.status, 201, res.text);
  const [mt] = await handsetReceives(gw, '+14257320002', 1, 10_000);
  assert.equal(mt.text, 'through an outage');
  assert.equal((await gw.request('GET', '/healthz')).status, 200);
  assert.match((await gw.request('GET', '/metrics')).text, /^switchboard_store_up 1$/m);
});

test('PostgreSQL that stops answering without closing: 503 SVC1000 within the query timeout, /healthz down, business as usual once it answers', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  const { gw, proxy } = await gatewayBehindProxy(t, { SWITCHBOARD_DATABASE_QUERY_TIMEOUT_MS: '700' });
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627321', moDelivery: 'poll' }] });
  const sendTo = (to: string) => gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: `tel:${to}`, message: 'through a freeze' } } });
  // A gateway at work: its pools hold connections (a send uses both, see postgres-store.ts), which
  // the freeze catches mid-use; a pool with none would first wait for a connection to be made.
  assert.equal((await sendTo('+14257321000')).status, 201);

  proxy.freeze();
  const started = Date.now();
  const frozen = await Promise.all([sendTo('+14257321001'), sendTo('+14257321002'), sendTo('+14257321003')]);
  for (const res of frozen) {
    assert.equal(res.status, 503, res.text);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.json().RequestError.ServiceException.MessageId, 'SVC1000');
  }
  // The statement's own timeout, plus the pool's wait for a connection (the frozen ones are dropped).
  assert.ok(Date.now() - started < 8000, `answered after ${Date.now() - started} ms`);
  const health = await gw.request('GET', '/healthz');
  assert.equal(health.status, 503);
  assert.equal(health.json().store, 'down');

  proxy.thaw();
  const res = await sendTo('+14257321004');
  assert.equal(res.status, 201, res.text);
  const [mt] = await handsetReceives(gw, '+14257321004', 1, 10_000);
  assert.equal(mt.text, 'through a freeze');
  assert.equal((await gw.request('GET', '/healthz')).status, 200);
});

test('a database that turns new connections away (ALLOW_CONNECTIONS false): 503 SVC1000 meanwhile, not 500; business as usual once it takes them again', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  // The server answers FATAL 55000 "not currently accepting connections": it was answered 500
  // SVC0001 with a stack trace logged, as if the request had been at fault (the operator trial).
  const database = await createTestDatabase();
  const name = new URL(database.url).pathname.slice(1);
  const gw = await startTestGateway({ ...FAST, SWITCHBOARD_DATABASE_URL: database.url, SWITCHBOARD_DATABASE_RETRY_MS: '300' });
  const owner = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await owner.connect();
  t.after(async () => {
    await owner.query(`alter database "${name}" allow_connections true`).catch(() => undefined);
    await owner.end();
    await gw.close();
    await database.drop();
  });
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627322', moDelivery: 'poll' }] });
  const sendTo = (to: string) => gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: `tel:${to}`, message: 'through a refusal' } } });

  await owner.query(`alter database "${name}" allow_connections false`);
  await owner.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
  const refused = await sendTo('+14257322001');
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(refused.json().RequestError.ServiceException.MessageId, 'SVC1000');
  const admin = await gw.request('GET', '/admin/v1/apps', { headers: ADMIN_AUTH });
  assert.equal(admin.status, 503, admin.text);
  assert.equal((await gw.request('GET', '/healthz')).status, 503);

  await owner.query(`alter database "${name}" allow_connections true`);
  const res = await sendTo('+14257322002');
  assert.equal(res.status, 201, res.text);
  const [mt] = await handsetReceives(gw, '+14257322002', 1, 10_000);
  assert.equal(mt.text, 'through a refusal');
});

test('a gateway whose database does not answer stops at start with one line naming it, exit 1', async () => {
  const proxy = await startTcpProxy('127.0.0.1', 5432);
  await proxy.cut();
  try {
    const child = spawn(process.execPath, nodeEntry('src/main.ts'), {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        SWITCHBOARD_DATABASE_URL: `postgres://someone:pw-not-shown@127.0.0.1:${proxy.port}/switchboard`,
        SWITCHBOARD_DATABASE_RETRY_MS: '300',
        SWITCHBOARD_ADMIN_TOKEN: 'x'.repeat(32),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^switchboard: cannot reach PostgreSQL at someone@127\\.0\\.0\\.1:${proxy.port}/switchboard: connect ECONNREFUSED[^\\n]*\\n$`));
    assert.doesNotMatch(stderr, /pw-not-shown/);
  } finally {
    await proxy.close();
  }
});
