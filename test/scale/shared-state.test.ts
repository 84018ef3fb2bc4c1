import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createTestDatabase, postgresReachable, type TestDatabase } from '../helpers/postgres.js';
import { FAST, handsetMessages, handsetReceives, waitFor } from '../http/send-helpers.js';
import { runCli } from '../cli/run.js';

/*
 * Two gateway instances (in this process) on one PostgreSQL database: whatever one of them
 * learns — tokens, quotas, handset state, inbox contents — the other acts on at once.
 */

const reachable = await postgresReachable();
const POLL_CODE = '22627310';

describe('two instances on one PostgreSQL database share their state', { skip: reachable ? false : 'no PostgreSQL server' }, () => {
  let database: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;
  let app: TestApp;

  before(async () => {
    database = await createTestDatabase();
    // The operator prepares the database first, as in a deployment; both instances then start together.
    const migrated = await runCli(['migrate'], { SWITCHBOARD_DATABASE_URL: database.url });
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.equal(migrated.json().migrated, true);
    const env = { ...FAST, SWITCHBOARD_DATABASE_URL: database.url, SWITCHBOARD_DATABASE_POOL_SIZE: '4', SWITCHBOARD_INBOX_BATCH_SIZE: '4' };
    [a, b] = await Promise.all([startTestGateway(env), startTestGateway(env)]);
    app = await createApp(a, { shortCodes: [{ shortCode: POLL_CODE, moDelivery: 'poll' }] });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  const sendVia = (gw: TestGateway, to: string, message: string, auth = app.auth) =>
    gw.request('POST', '/sms/v3/messaging/outbox', { headers: auth, body: { outboundSMSRequest: { address: `tel:${to}`, message } } });

  test('a token minted on one instance works on the other; revoked on the other, both refuse it', async () => {
    const form = new URLSearchParams({ client_id: app.appKey, client_secret: app.appSecret, grant_type: 'client_credentials', scope: 'SMS' });
    const minted = await a.request('POST', '/oauth/v4/token', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    assert.equal(minted.status, 200, minted.text);
    const { access_token: token, refresh_token: refresh } = minted.json();
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await sendVia(b, '+14257310001', 'token from A')).status, 201);
    assert.equal((await sendVia(b, '+14257310001', 'token from A, used on B', auth)).status, 201);
    const revoke = new URLSearchParams({ client_id: app.appKey, client_secret: app.appSecret, token: refresh, token_type_hint: 'refresh_token' });
    assert.equal((await b.request('POST', '/oauth/v4/revoke', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: revoke.toString() })).status, 200);
    assert.equal((await sendVia(a, '+14257310001', 'revoked', auth)).status, 401);
    assert.equal((await sendVia(b, '+14257310001', 'revoked', auth)).status, 401);
  });

  test('a daily quota holds across instances: of 40 concurrent sends over both, exactly the quota passes', async () => {
    const limited = await createApp(a, { ratePerDay: 15, shortCodes: [{ shortCode: '22627311', moDelivery: 'poll' }] });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => sendVia(i % 2 === 0 ? a : b, `+142573102${String(i).padStart(2, '0')}`, `quota ${i}`, limited.auth)),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 15, `${statuses.join(',')}: ${results.find((r) => r.status !== 201)?.text}`);
    assert.equal(statuses.filter((s) => s === 403).length, 25);
    const refused = results.find((r) => r.status === 403);
    assert.ok(refused?.headers.get('retry-after'));
    assert.equal(refused?.json().RequestError.PolicyException.MessageId, 'POL0001');
  });

  test('handset state is shared: switched off on one instance, messages wait; switched on at the other, they arrive', async () => {
    const to = '+14257310300';
    const off = await b.request('PUT', `/sim/v1/handsets/${encodeURIComponent(to)}`, { body: { online: false } });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json().online, false);
    const sent = await Promise.all([sendVia(a, to, 'while off 1'), sendVia(b, to, 'while off 2')]);
    assert.deepEqual(sent.map((r) => r.status), [201, 201]);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await handsetMessages(b, to), []);
    assert.equal((await a.request('PUT', `/sim/v1/handsets/${encodeURIComponent(to)}`, { body: { online: true } })).status, 200);
    const got = await handsetReceives(b, to, 2, 10_000);
    assert.deepEqual(got.map((m) => m.text).sort(), ['while off 1', 'while off 2']);
  });

  test('inbox polling over both instances hands every MO out exactly once', async () => {
    const count = 40;
    for (let i = 0; i < count; i += 1) {
      const res = await (i % 2 === 0 ? a : b).request('POST', `/sim/v1/handsets/${encodeURIComponent(`+142573104${String(i).padStart(2, '0')}`)}/messages`, {
        body: { to: POLL_CODE, text: `poll ${i}` },
      });
      assert.equal(res.status, 202, res.text);
    }
    const seen: string[] = [];
    const poller = (gw: TestGateway) => async () => {
      for (;;) {
        const res = await gw.request('GET', `/sms/v3/messaging/inbox/${POLL_CODE}`, { headers: app.auth });
        assert.equal(res.status, 200, res.text);
        const batch = res.json().InboundSmsMessageList.InboundSmsMessage as { Message: string }[];
        if (batch.length === 0) return;
        seen.push(...batch.map((m) => m.Message));
      }
    };
    await Promise.all([poller(a)(), poller(b)(), poller(a)(), poller(b)()]);
    await waitFor(async () => (seen.length >= count ? true : undefined), 1000, 'every MO polled');
    assert.equal(seen.length, count, 'no MO handed out twice');
    assert.deepEqual(new Set(seen).size, count);
  });
});
