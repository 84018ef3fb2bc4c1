import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccessToken } from '../../src/auth/access.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp, patchApp } from '../helpers/apps.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const check = (token: string, scope = 'SMS') => checkAccessToken(gw.gateway.ctx.store, gw.gateway.ctx.clock, token, scope);

test('a live token names its app, scopes and realm', async () => {
  const app = await createApp(gw, { name: 'who', scopes: ['SMS', 'MMS'], realm: 'production' });
  assert.deepEqual(await check(app.token), {
    ok: true,
    client: {
      appId: app.id,
      appName: 'who',
      scopes: ['SMS', 'MMS'],
      realm: 'production',
      ratePerSecond: null,
      ratePerDay: null,
      deliveryStatusUrl: null,
      shortCodes: [],
    },
  });
});

test('a live token brings its app\'s throttles, delivery status URL and short codes (code order), as they are now', async () => {
  const app = await createApp(gw, {
    shortCodes: [
      { shortCode: '22628002', moDelivery: 'poll' },
      { shortCode: '22628001', moDelivery: 'poll' },
    ],
    deliveryStatusUrl: 'http://127.0.0.1:9/dr',
    ratePerSecond: 7,
    ratePerDay: 700,
  });
  const client = async () => {
    const res = await check(app.token);
    assert.ok(res.ok);
    return res.client;
  };
  assert.deepEqual(await client(), {
    appId: app.id,
    appName: app.name,
    scopes: ['SMS'],
    realm: 'sandbox',
    ratePerSecond: 7,
    ratePerDay: 700,
    deliveryStatusUrl: 'http://127.0.0.1:9/dr',
    shortCodes: ['22628001', '22628002'],
  });
  await patchApp(gw, app.id, { ratePerSecond: null, ratePerDay: 1, deliveryStatusUrl: null });
  const changed = await client();
  assert.deepEqual([changed.ratePerSecond, changed.ratePerDay, changed.deliveryStatusUrl], [null, 1, null]);
});

test('unknown tokens and refresh tokens are invalid', async () => {
  const app = await createApp(gw);
  assert.deepEqual(await check('nonsense'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await check(app.refreshToken), { ok: false, reason: 'invalid' });
});

test('a token without the scope fails on scope; an operator narrowing the app\'s scopes takes effect at once', async () => {
  const app = await createApp(gw, { scopes: ['SMS', 'MMS'], tokenScope: 'MMS' });
  assert.deepEqual(await check(app.token), { ok: false, reason: 'scope' });
  assert.equal((await check(app.token, 'MMS')).ok, true);
  await patchApp(gw, app.id, { scopes: ['SMS'] });
  assert.deepEqual(await check(app.token, 'MMS'), { ok: false, reason: 'scope' });
});

test('a suspended app\'s tokens stop working, and work again when it is unsuspended', async () => {
  const app = await createApp(gw);
  await patchApp(gw, app.id, { suspended: true });
  assert.deepEqual(await check(app.token), { ok: false, reason: 'suspended' });
  await patchApp(gw, app.id, { suspended: false });
  assert.equal((await check(app.token)).ok, true);
});

test('revoked access tokens, and those minted from a revoked refresh token, are invalid', async () => {
  const app = await createApp(gw);
  const revoke = (token: string) =>
    gw.request('POST', '/oauth/v4/revoke', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: app.appKey, client_secret: app.appSecret, token }).toString(),
    });
  assert.equal((await revoke(app.refreshToken)).status, 200);
  assert.deepEqual(await check(app.token), { ok: false, reason: 'invalid' });
});

test('secret rotation and app deletion end the app\'s tokens', async () => {
  const rotated = await createApp(gw);
  assert.equal((await gw.request('POST', `/admin/v1/apps/${rotated.id}/secret`, { headers: ADMIN_AUTH })).status, 200);
  assert.deepEqual(await check(rotated.token), { ok: false, reason: 'invalid' });
  const deleted = await createApp(gw);
  assert.equal((await gw.request('DELETE', `/admin/v1/apps/${deleted.id}`, { headers: ADMIN_AUTH })).status, 204);
  assert.deepEqual(await check(deleted.token), { ok: false, reason: 'invalid' });
});

test('an access token expires after SWITCHBOARD_TOKEN_TTL_S', async () => {
  const short = await startTestGateway({ SWITCHBOARD_TOKEN_TTL_S: '60' });
  try {
    const app = await createApp(short);
    const { store } = short.gateway.ctx;
    // A clock moved past the lifetime instead of a wait, so a slow machine cannot expire the token early.
    const at = (offsetMs: number) => ({ now: () => Date.now() + offsetMs });
    assert.equal((await checkAccessToken(store, at(55_000), app.token, 'SMS')).ok, true);
    assert.deepEqual(await checkAccessToken(store, at(61_000), app.token, 'SMS'), { ok: false, reason: 'invalid' });
  } finally {
    await short.close();
  }
});
