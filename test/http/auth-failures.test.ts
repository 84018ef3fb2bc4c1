import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, fetch as undiciFetch } from 'undici';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp, type TestApp } from '../helpers/apps.js';

const LIMIT = 3;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

// Each surface gets a gateway of its own: the count is per client address, and every request here
// comes from 127.0.0.1 unless it says otherwise.
async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
  return startTestGateway({ SWITCHBOARD_AUTH_FAILURES_PER_MINUTE: String(LIMIT), ...env });
}

function tokenRequest(gw: TestGateway, clientId: string, clientSecret: string) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
  return gw.request('POST', '/oauth/v4/token', { headers: FORM, body });
}

/** Retry-After within the one-minute window. */
function assertRetryAfter(headers: Headers): void {
  const seconds = Number(headers.get('retry-after'));
  assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `retry-after ${headers.get('retry-after')}`);
}

describe('failed client authentications on /oauth (SWITCHBOARD_AUTH_FAILURES_PER_MINUTE)', () => {
  let gw: TestGateway;
  let app: TestApp;
  let other: Agent;
  before(async () => {
    gw = await gateway();
    app = await createApp(gw);
    other = new Agent({ localAddress: '127.0.0.2' });
  });
  after(async () => {
    await other.close();
    await gw.close();
  });

  test('past the limit an address is refused 429 temporarily_unavailable with Retry-After, even with the right secret', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const res = await tokenRequest(gw, app.appKey, 'wrong-secret');
      assert.equal(res.status, 401, `attempt ${i + 1}`);
      assert.equal(res.json().error, 'invalid_client');
    }
    const refused = await tokenRequest(gw, app.appKey, app.appSecret);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('cache-control'), 'no-store');
    assertRetryAfter(refused.headers);
    const body = refused.json();
    assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
    assert.equal(body.error, 'temporarily_unavailable');
    assert.match(body.error_description, /too many failed client authentications from this address; retry in \d+ s/);
    const revoke = await gw.request('POST', '/oauth/v4/revoke', { headers: FORM, body: new URLSearchParams({ token: 'x', client_id: app.appKey, client_secret: app.appSecret }).toString() });
    assert.equal(revoke.status, 429, 'revocation authenticates the client too');
  });

  test('another address is not held back, and tokens issued before keep working', async () => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: app.appKey, client_secret: app.appSecret }).toString();
    const res = await undiciFetch(`${gw.url}/oauth/v4/token`, { method: 'POST', headers: FORM, body, dispatcher: other });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(typeof ((await res.json()) as { access_token?: unknown }).access_token, 'string');
    const inbox = await gw.request('GET', '/sms/v3/messaging/inbox/12345', { headers: { ...app.auth, accept: 'application/json' } });
    assert.notEqual(inbox.status, 401);
    assert.notEqual(inbox.status, 429);
  });
});

test('a burst of checks at once is counted before any of them ends: no more secret checks than the limit', async () => {
  const gw = await gateway();
  try {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => tokenRequest(gw, 'no-such-app', 'wrong').then((res) => res.status)));
    assert.equal(statuses.filter((s) => s === 401).length, LIMIT);
    assert.equal(statuses.filter((s) => s === 429).length, 20 - LIMIT);
    const admin = await Promise.all(Array.from({ length: 10 }, () => gw.request('GET', '/admin/v1/apps', { headers: { authorization: 'Bearer wrong' } }).then((res) => res.status)));
    assert.deepEqual(admin, Array<number>(10).fill(429), 'one count for every credential the address presents');
  } finally {
    await gw.close();
  }
});

test('a right secret is no failure, and 0 turns the count off', async () => {
  const gw = await gateway();
  try {
    const app = await createApp(gw);
    for (let i = 0; i < LIMIT + 2; i++) assert.equal((await tokenRequest(gw, app.appKey, app.appSecret)).status, 200);
  } finally {
    await gw.close();
  }
  const off = await gateway({ SWITCHBOARD_AUTH_FAILURES_PER_MINUTE: '0' });
  try {
    for (let i = 0; i < LIMIT + 2; i++) assert.equal((await tokenRequest(off, 'no-such-app', 'wrong')).status, 401, `attempt ${i + 1}`);
  } finally {
    await off.close();
  }
});

test('the admin API: failed admin tokens count, then 429 too_many_requests with Retry-After', async () => {
  const gw = await gateway();
  try {
    for (let i = 0; i < LIMIT; i++) {
      const res = await gw.request('GET', '/admin/v1/apps', { headers: { authorization: `Bearer wrong-token-${i}` } });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
    }
    const refused = await gw.request('GET', '/admin/v1/apps', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(refused.status, 429);
    assertRetryAfter(refused.headers);
    assert.equal(refused.json().error.code, 'too_many_requests');
    assert.match(refused.json().error.message, /too many failed admin token checks from this address/);
  } finally {
    await gw.close();
  }
});

test('console sign-in: failed sign-ins count, then 429 with the login page saying when to try again', async () => {
  const gw = await gateway();
  const signIn = (token: string) =>
    fetch(`${gw.url}/console/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });
  try {
    for (let i = 0; i < LIMIT; i++) assert.equal((await signIn(`not-the-token-${i}`)).status, 401);
    const refused = await signIn(ADMIN_TOKEN);
    assert.equal(refused.status, 429);
    assertRetryAfter(refused.headers);
    assert.equal(refused.headers.get('set-cookie'), null, 'no session');
    assert.match(await refused.text(), /Too many failed sign-ins from this address; try again in \d+ s\./);
  } finally {
    await gw.close();
  }
});

test('behind a trusted proxy (SWITCHBOARD_TRUST_PROXY) each client is counted by its X-Forwarded-For address; otherwise the header is ignored', async () => {
  const failFrom = (gw: TestGateway, client: string) =>
    gw.request('POST', '/oauth/v4/token', {
      headers: { ...FORM, 'x-forwarded-for': client },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'no-such-app', client_secret: 'wrong' }).toString(),
    });
  const proxied = await gateway({ SWITCHBOARD_TRUST_PROXY: 'loopback' });
  try {
    for (let i = 0; i < LIMIT; i++) assert.equal((await failFrom(proxied, '203.0.113.5')).status, 401);
    assert.equal((await failFrom(proxied, '203.0.113.5')).status, 429);
    assert.equal((await failFrom(proxied, '203.0.113.6')).status, 401, 'another client behind the same proxy');
  } finally {
    await proxied.close();
  }
  const direct = await gateway();
  try {
    for (let i = 0; i < LIMIT; i++) assert.equal((await failFrom(direct, `203.0.113.${i}`)).status, 401);
    assert.equal((await failFrom(direct, '203.0.113.99')).status, 429, 'a header anyone can write moves nothing');
  } finally {
    await direct.close();
  }
});
