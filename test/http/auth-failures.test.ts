import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, fetch as undiciFetch } from 'undici';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp, type TestApp } from '../helpers/apps.js';

const LIMIT = 3;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

// Each surface gets a gateway of its own: the counts are per client address, and every request here
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

/** A token request refused without a check: 401 invalid_client saying so (contract §13: never 429 on /oauth). */
function assertRefusedUnchecked(res: { status: number; headers: Headers; json(): any }, what = 'refused'): void {
  assert.equal(res.status, 401, what);
  assert.equal(res.headers.get('cache-control'), 'no-store', what);
  assertRetryAfter(res.headers);
  assert.deepEqual(Object.keys(res.json()).sort(), ['error', 'error_description'], what);
  assert.equal(res.json().error, 'invalid_client', what);
  assert.match(res.json().error_description, /^too many failed client authentications from this address; retry in \d+ s$/, what);
}

/** A token request whose secret was checked and found wrong. */
function assertChecked(res: { status: number; json(): any }, what = 'checked'): void {
  assert.equal(res.status, 401, what);
  assert.deepEqual(res.json(), { error: 'invalid_client', error_description: 'client authentication failed' }, what);
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

  test('past the limit a client_id is refused from the address 401 invalid_client with Retry-After, not 429, even with the right secret', async () => {
    for (let i = 0; i < LIMIT; i++) assertChecked(await tokenRequest(gw, app.appKey, 'wrong-secret'), `attempt ${i + 1}`);
    assertRefusedUnchecked(await tokenRequest(gw, app.appKey, app.appSecret));
    const basic = await gw.request('POST', '/oauth/v4/token', {
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${app.appKey}:${app.appSecret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    assertRefusedUnchecked(basic, 'with HTTP Basic');
    assert.equal(basic.headers.get('www-authenticate'), 'Basic realm="switchboard"', 'as every 401 after HTTP Basic (RFC 6749 §5.2)');
    const revoke = await gw.request('POST', '/oauth/v4/revoke', { headers: FORM, body: new URLSearchParams({ token: 'x', client_id: app.appKey, client_secret: app.appSecret }).toString() });
    assertRefusedUnchecked(revoke, 'revocation authenticates the client too');
  });

  test('another client_id from the same address is not held back (apps behind one NAT or proxy)', async () => {
    const neighbour = await createApp(gw);
    const res = await tokenRequest(gw, neighbour.appKey, neighbour.appSecret);
    assert.equal(res.status, 200, res.text);
    assert.equal(typeof res.json().access_token, 'string');
    assertChecked(await tokenRequest(gw, neighbour.appKey, 'wrong-secret'), 'its own failures are its own');
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

test('client_ids made up one after another from one address: ten client_ids\' worth of checks, then every client_id waits', async () => {
  const gw = await gateway();
  try {
    const app = await createApp(gw);
    // Each unknown client_id costs the scrypt of a dummy hash (so that it takes the time a wrong secret does).
    for (let i = 0; i < LIMIT * 10; i++) assertChecked(await tokenRequest(gw, `made-up-${i}`, 'wrong'), `client_id ${i + 1}`);
    assertRefusedUnchecked(await tokenRequest(gw, 'made-up-again', 'wrong'));
    assertRefusedUnchecked(await tokenRequest(gw, app.appKey, app.appSecret), 'the address as a whole is past its ceiling');
  } finally {
    await gw.close();
  }
});

test('a burst of different guesses at once is counted before any of them ends: no more secret checks than the limit', async () => {
  const gw = await gateway();
  try {
    const app = await createApp(gw);
    const scrypts = gw.gateway.ctx.appCredentials.scrypts;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => tokenRequest(gw, app.appKey, `guess-${i}`)));
    assert.deepEqual(answers.map((res) => res.status), Array<number>(20).fill(401));
    const checked = answers.filter((res) => res.json().error_description === 'client authentication failed');
    assert.equal(checked.length, LIMIT);
    assert.equal(gw.gateway.ctx.appCredentials.scrypts - scrypts, LIMIT);
    for (const res of answers.filter((r) => !checked.includes(r))) assertRefusedUnchecked(res);
  } finally {
    await gw.close();
  }
});

test('right secrets at once are no failures: more token requests at once than the limit all get a token, on one scrypt', async () => {
  const gw = await gateway();
  try {
    const app = await createApp(gw);
    const scrypts = gw.gateway.ctx.appCredentials.scrypts;
    const answers = await Promise.all(Array.from({ length: LIMIT * 4 }, () => tokenRequest(gw, app.appKey, app.appSecret)));
    assert.deepEqual(answers.map((res) => res.status), Array<number>(LIMIT * 4).fill(200), answers.find((r) => r.status !== 200)?.text);
    // Requests that arrive while the first check runs share its verdict; on a loaded machine some
    // arrive after it ended and check again (2 once at load 40), but not one each.
    const checks = gw.gateway.ctx.appCredentials.scrypts - scrypts;
    assert.ok(checks >= 1 && checks <= 4, `${checks} scrypt checks for ${LIMIT * 4} requests`);
    for (let i = 0; i < LIMIT; i++) assertChecked(await tokenRequest(gw, app.appKey, 'wrong'), `then failure ${i + 1} is checked`);
    assertRefusedUnchecked(await tokenRequest(gw, app.appKey, 'wrong'));
  } finally {
    await gw.close();
  }
});

test('app secrets and the admin token are counted apart', async () => {
  const gw = await gateway();
  try {
    const [app, other] = [await createApp(gw), await createApp(gw)];
    for (let i = 0; i < LIMIT; i++) assertChecked(await tokenRequest(gw, app.appKey, 'wrong'));
    assertRefusedUnchecked(await tokenRequest(gw, app.appKey, app.appSecret));
    assert.equal((await gw.request('GET', '/admin/v1/apps', { headers: { authorization: 'Bearer wrong' } })).status, 401, 'the admin token is still checked');
    assert.equal((await gw.request('GET', '/admin/v1/apps', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200);
    for (let i = 1; i < LIMIT; i++) assert.equal((await gw.request('GET', '/admin/v1/apps', { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await gw.request('GET', '/admin/v1/apps', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 429);
    assert.equal((await tokenRequest(gw, other.appKey, other.appSecret)).status, 200, 'failed admin tokens do not hold back app secrets');
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

test('the admin API: a request without a bearer token checks nothing and is not counted', async () => {
  // From a code review: any web page can make a browser send these (<img src=…/admin/v1/apps>),
  // and counting them locked the operator's own address out of /admin/v1 and the console.
  const gw = await gateway();
  try {
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await fetch(`${gw.url}/admin/v1/apps`, { headers: { 'sec-fetch-dest': 'image', 'sec-fetch-site': 'cross-site' } });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      await res.arrayBuffer();
    }
    const basic = await gw.request('GET', '/admin/v1/apps', { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } });
    assert.equal(basic.status, 401, 'another scheme is no bearer token either');
    assert.equal((await gw.request('GET', '/admin/v1/apps', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200, 'the right token');
  } finally {
    await gw.close();
  }
});

test('console sign-in: a post from another origin or without a token checks nothing and is not counted', async () => {
  const gw = await gateway();
  const signIn = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/console/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });
  try {
    for (let i = 0; i < LIMIT + 2; i++) {
      assert.equal((await signIn(`not-the-token-${i}`, { origin: 'http://evil.example' })).status, 403, `cross-origin attempt ${i + 1}`);
      assert.equal((await signIn(ADMIN_TOKEN, { origin: 'http://evil.example' })).headers.get('set-cookie'), null, 'no session from another origin');
      const empty = await signIn('');
      assert.equal(empty.status, 401, `empty token ${i + 1}`);
      assert.match(await empty.text(), /Enter the admin token/);
    }
    const res = await signIn(ADMIN_TOKEN, { origin: gw.url });
    assert.equal(res.status, 303, 'the right token from the console itself');
    assert.match(res.headers.get('set-cookie') ?? '', /^switchboard_console=/);
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
    for (let i = 0; i < LIMIT; i++) assertChecked(await failFrom(proxied, '203.0.113.5'));
    assertRefusedUnchecked(await failFrom(proxied, '203.0.113.5'));
    assertChecked(await failFrom(proxied, '203.0.113.6'), 'another client behind the same proxy');
  } finally {
    await proxied.close();
  }
  const direct = await gateway();
  try {
    for (let i = 0; i < LIMIT; i++) assertChecked(await failFrom(direct, `203.0.113.${i}`));
    assertRefusedUnchecked(await failFrom(direct, '203.0.113.99'), 'a header anyone can write moves nothing');
  } finally {
    await direct.close();
  }
});
