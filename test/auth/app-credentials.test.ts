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

test('an App Key of another form than every App Key\'s is unknown without a read, after a wrong secret\'s check', async () => {
  const app = await createApp(gw);
  const read: string[] = [];
  const apps = gw.gateway.ctx.store.apps;
  const store = { apps: { ...apps, getByKey: (appKey: string) => (read.push(appKey), apps.getByKey(appKey)) } };
  const clock = { now: () => 1_000_000 };
  const check = new AppCredentialCheck({ store, clock, failures: new FailedAttempts(0, clock) });
  for (const appKey of [`${app.appKey}\u0000`, app.appKey.toUpperCase(), app.appKey.slice(1), '', 'unknown-key']) {
    assert.deepEqual(await check.authenticate('127.0.0.1', appKey, app.appSecret), { ok: false, reason: 'invalid' }, JSON.stringify(appKey));
  }
  assert.deepEqual(read, []);
  assert.equal(check.scrypts, 5);
  assert.equal((await check.authenticate('127.0.0.1', app.appKey, app.appSecret)).ok, true);
  assert.deepEqual(read, [app.appKey]);
});

test('identical checks at once share one scrypt and take one attempt between them: a right secret sent in a burst is not held back', async () => {
  const app = await createApp(gw);
  const clock = { now: () => 1_000_000 };
  const failures = new FailedAttempts(2, clock);
  const check = new AppCredentialCheck({ store: gw.gateway.ctx.store, clock, failures });
  const burst = await Promise.all(Array.from({ length: 10 }, () => check.authenticate('127.0.0.1', app.appKey, app.appSecret)));
  assert.ok(burst.every((r) => r.ok));
  assert.equal(check.scrypts, 1);
  const wrong = await Promise.all(Array.from({ length: 3 }, () => check.authenticate('127.0.0.1', app.appKey, 'wrong')));
  assert.deepEqual(wrong, Array(3).fill({ ok: false, reason: 'invalid' }), 'joined, so none refused');
  assert.equal(check.scrypts, 2);
  assert.equal((await check.authenticate('127.0.0.1', app.appKey, app.appSecret)).ok, false, 'each wrong one counted: locked');
});
