import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppCredentialCheck, type AppCredentialOptions } from '../../src/auth/app-credentials.js';
import { FailedAttempts } from '../../src/auth/failed-attempts.js';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

/** A check of its own over the gateway's store, on a clock the test moves. */
function credentials(options: AppCredentialOptions = {}) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const check = new AppCredentialCheck({ store: gw.gateway.ctx.store, clock, failures: new FailedAttempts(0, clock) }, options);
  return { check, advance: (ms: number) => (now += ms) };
}

const ok = async (c: AppCredentialCheck, app: TestApp) => assert.equal((await c.check('127.0.0.1', app.appKey, app.appSecret, 'SMS')).ok, true);

test('the client of the right secret has all the app\'s scopes and its short codes, as a token of them would', async () => {
  const app = await createApp(gw, { scopes: ['SMS', 'MMS'], realm: 'production', ratePerSecond: 5, shortCodes: [{ shortCode: '22629002', moDelivery: 'poll' }, { shortCode: '22629001', moDelivery: 'poll' }] });
  const { check } = credentials();
  assert.deepEqual(await check.check('127.0.0.1', app.appKey, app.appSecret, 'SMS'), {
    ok: true,
    client: { appId: app.id, appName: app.name, scopes: ['SMS', 'MMS'], realm: 'production', ratePerSecond: 5, ratePerDay: null, deliveryStatusUrl: null, shortCodes: ['22629001', '22629002'] },
  });
  assert.deepEqual(await check.check('127.0.0.1', app.appKey, app.appSecret, 'TTS'), { ok: false, reason: 'scope' });
  assert.equal(check.scrypts, 1);
});

test('a right secret is remembered for ttlMs from its check, then checked again', async () => {
  const app = await createApp(gw);
  const { check, advance } = credentials({ ttlMs: 60_000 });
  await ok(check, app);
  advance(59_000);
  await ok(check, app);
  assert.equal(check.scrypts, 1);
  advance(1_000);
  await ok(check, app);
  assert.equal(check.scrypts, 2, 'aged out, though used meanwhile');
});

test('at most maxEntries are remembered; the least recently used goes first', async () => {
  const [a, b, c] = [await createApp(gw), await createApp(gw), await createApp(gw)];
  const { check } = credentials({ maxEntries: 2 });
  await ok(check, a);
  await ok(check, b);
  await ok(check, a);
  assert.equal(check.scrypts, 2);
  await ok(check, c);
  await ok(check, a);
  assert.equal(check.scrypts, 3, 'a was used after b, so b went');
  await ok(check, b);
  assert.equal(check.scrypts, 4);
});

test('a wrong secret or an unknown App Key is never remembered: each costs a check', async () => {
  const app = await createApp(gw);
  const { check } = credentials();
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(await check.check('127.0.0.1', app.appKey, 'wrong', 'SMS'), { ok: false, reason: 'invalid' });
    assert.deepEqual(await check.check('127.0.0.1', 'unknown-key', app.appSecret, 'SMS'), { ok: false, reason: 'invalid' });
  }
  assert.equal(check.scrypts, 4);
});
