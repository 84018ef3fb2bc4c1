import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener, type Received, type TestListener } from '../webhooks/listener.js';

let gw: TestGateway;
const listeners: TestListener[] = [];

before(async () => {
  gw = await startTestGateway({
    SWITCHBOARD_RETRY_BASE_MS: '50',
    SWITCHBOARD_RETRY_CAP_MS: '200',
    SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S: '4',
    SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '200',
  });
});
after(async () => {
  await gw.close();
  await Promise.all(listeners.map((l) => l.close()));
});

async function listener(answer?: Parameters<typeof startListener>[0]): Promise<TestListener> {
  const l = await startListener(answer);
  listeners.push(l);
  return l;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The README's verification recipe: HMAC-SHA256 over `${timestamp}.${rawBody}`, hex, constant-time compare, 5-minute tolerance. */
function verify(secret: string, r: Received): boolean {
  const timestamp = String(r.headers['x-switchboard-timestamp']);
  const signature = String(r.headers['x-switchboard-signature']);
  const expected = createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

test('a listener that fails 3 times (timeout, 503, redirect) then acks gets the MO exactly 4 times, signed, same event id', async () => {
  const l = await listener((_r, i) => [{ status: 200, delayMs: 1500 }, 503, 302, 204][i] ?? 200);
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627200', moDelivery: 'callback', listenerUrl: l.url }] });
  await sendMo(gw, '+14255550110', '22627200', 'Hello world');
  const got = await l.waitFor(4);
  await sleep(1000);
  assert.equal(l.received.length, 4, 'nothing after the ack');

  const bodies = new Set(got.map((r) => r.body));
  assert.equal(bodies.size, 1, 'every attempt carries the same body');
  const body = JSON.parse(got[0]!.body);
  assert.deepEqual(Object.keys(body), ['DateTime', 'MessageId', 'Message', 'SenderAddress', 'DestinationAddress']);
  assert.match(body.DateTime, /^\d\d-\d\d-\d{4}T\d\d:\d\d:\d\d$/);
  const [month, day, year] = body.DateTime.slice(0, 10).split('-');
  assert.ok(Math.abs(Date.parse(`${year}-${month}-${day}T${body.DateTime.slice(11)}Z`) - Date.now()) < 60_000, 'UTC time of arrival');
  assert.match(body.MessageId, /^MO[0-9a-f]{24}$/);
  assert.equal(body.Message, 'Hello world');
  assert.equal(body.SenderAddress, 'tel:+14255550110');
  assert.equal(body.DestinationAddress, '22627200');

  for (const r of got) {
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/listener');
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.equal(r.headers['x-switchboard-event-id'], body.MessageId);
    assert.ok(verify(app.signingSecret, r), 'signature verifies with the app signing secret');
  }
  const tampered = { ...got[0]!, body: got[0]!.body.replace('Hello', 'Hallo') };
  assert.equal(verify(app.signingSecret, tampered), false);
  assert.equal(verify('another-secret', got[0]!), false);
  const dead = await gw.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH });
  assert.deepEqual(dead.json(), { deadLetters: [] });
});

test('a listener that never acks ends dead-lettered after the window; replay delivers it to the fixed listener', async () => {
  const broken = await listener(() => 500);
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627201', moDelivery: 'callback', listenerUrl: broken.url }] });
  await sendMo(gw, '+14255550111', '22627201', 'are you there');
  let letters: any[] = [];
  for (let i = 0; i < 150 && letters.length === 0; i += 1) {
    await sleep(100);
    const res = await gw.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH });
    assert.equal(res.status, 200, res.text);
    letters = res.json().deadLetters;
  }
  assert.equal(letters.length, 1, 'dead-lettered within the 4 s window (+ slack)');
  const [letter] = letters;
  assert.equal(letter.kind, 'mo');
  assert.equal(letter.url, broken.url);
  assert.equal(letter.shortCode, '22627201');
  assert.equal(letter.lastError, 'retry window over: listener answered HTTP 500');
  assert.equal(letter.attempts, broken.received.length);
  assert.ok(letter.attempts >= 3, `retried (${letter.attempts} attempts)`);
  assert.equal(JSON.parse(letter.body).Message, 'are you there');
  const before = broken.received.length;
  await sleep(500);
  assert.equal(broken.received.length, before, 'no attempts once dead');

  // The operator points the short code at a working listener and replays.
  const fixed = await listener(() => 200);
  assert.equal((await gw.request('DELETE', `/admin/v1/apps/${app.id}/short-codes/22627201`, { headers: ADMIN_AUTH })).status, 204);
  const readd = await gw.request('POST', `/admin/v1/apps/${app.id}/short-codes`, {
    headers: ADMIN_AUTH,
    body: { shortCode: '22627201', moDelivery: 'callback', listenerUrl: fixed.url },
  });
  assert.equal(readd.status, 201, readd.text);
  const replay = await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/${letter.id}/replay`, { headers: ADMIN_AUTH });
  assert.equal(replay.status, 202, replay.text);
  assert.deepEqual(replay.json(), { id: letter.id, url: fixed.url, state: 'pending' });
  const [delivered] = await fixed.waitFor(1);
  assert.equal(delivered!.body, letter.body);
  assert.equal(delivered!.headers['x-switchboard-event-id'], letter.id);
  assert.ok(verify(app.signingSecret, delivered!));
  await sleep(300);
  assert.equal(fixed.received.length, 1);
  assert.deepEqual((await gw.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH })).json(), { deadLetters: [] });
  const again = await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/${letter.id}/replay`, { headers: ADMIN_AUTH });
  assert.equal(again.status, 404);
  assert.equal((await gw.request('GET', `/admin/v1/apps/${app.id}/dead-letters`)).status, 401);
  assert.equal((await gw.request('GET', '/admin/v1/apps/nope/dead-letters', { headers: ADMIN_AUTH })).status, 404);
});

test('an app\'s dead letters replayed at once, oldest first, `limit` at a time, once the listener is mended', async () => {
  let up = false;
  const mended = await listener(() => (up ? 200 : 500));
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627202', moDelivery: 'callback', listenerUrl: mended.url }] });
  for (const text of ['one', 'two', 'three']) await sendMo(gw, '+14255550112', '22627202', text);
  let letters: any[] = [];
  for (let i = 0; i < 150 && letters.length < 3; i += 1) {
    await sleep(100);
    letters = (await gw.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH })).json().deadLetters;
  }
  assert.equal(letters.length, 3);
  const failed = mended.received.length;
  up = true;
  const first = await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/replay?limit=2`, { headers: ADMIN_AUTH });
  assert.equal(first.status, 202, first.text);
  assert.deepEqual(first.json(), { replayed: letters.slice(0, 2).map((l) => ({ id: l.id, url: mended.url, state: 'pending' })) });
  const rest = await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/replay`, { headers: ADMIN_AUTH });
  assert.deepEqual(rest.json().replayed.map((r: { id: string }) => r.id), [letters[2].id]);
  const acked = (await mended.waitFor(failed + 3)).slice(failed);
  assert.deepEqual(acked.map((r) => r.headers['x-switchboard-event-id']).sort(), letters.map((l) => l.id).sort());
  assert.deepEqual(acked.map((r) => JSON.parse(r.body).Message).sort(), ['one', 'three', 'two']);
  assert.deepEqual((await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/replay`, { headers: ADMIN_AUTH })).json(), { replayed: [] });
  assert.equal((await gw.request('POST', '/admin/v1/apps/nope/dead-letters/replay', { headers: ADMIN_AUTH })).status, 404);
  assert.equal((await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/replay?limit=0`, { headers: ADMIN_AUTH })).status, 400);
});

test('an MO dead letter replayed after its short code went over to polling goes to the inbox, not to the old listener', async () => {
  const broken = await listener(() => 500);
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627203', moDelivery: 'callback', listenerUrl: broken.url }] });
  await sendMo(gw, '+14255550113', '22627203', 'poll me');
  let letters: any[] = [];
  for (let i = 0; i < 150 && letters.length === 0; i += 1) {
    await sleep(100);
    letters = (await gw.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH })).json().deadLetters;
  }
  assert.equal(letters.length, 1);
  const [letter] = letters;
  // The operator gives up on the listener: the app polls from now on.
  assert.equal((await gw.request('DELETE', `/admin/v1/apps/${app.id}/short-codes/22627203`, { headers: ADMIN_AUTH })).status, 204);
  const readd = await gw.request('POST', `/admin/v1/apps/${app.id}/short-codes`, { headers: ADMIN_AUTH, body: { shortCode: '22627203', moDelivery: 'poll' } });
  assert.equal(readd.status, 201, readd.text);
  const posted = broken.received.length;
  const replay = await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/${letter.id}/replay`, { headers: ADMIN_AUTH });
  assert.equal(replay.status, 202, replay.text);
  assert.deepEqual(replay.json(), { id: letter.id, url: null, state: 'inbox' });
  const inbox = await gw.request('GET', '/sms/v3/messaging/inbox/22627203', { headers: app.auth });
  assert.equal(inbox.status, 200, inbox.text);
  const list = inbox.json().InboundSmsMessageList;
  assert.deepEqual(list.InboundSmsMessage, [{ MessageId: letter.id, Message: 'poll me', SenderAddress: 'tel:+14255550113' }]);
  await sleep(300);
  assert.equal(broken.received.length, posted, 'POSTed to the listener the short code no longer has');
  assert.deepEqual((await gw.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH })).json(), { deadLetters: [] });
  assert.equal((await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/${letter.id}/replay`, { headers: ADMIN_AUTH })).status, 404);
});

test('one slow listener cannot starve the others: at most SWITCHBOARD_WEBHOOK_CONCURRENCY POSTs each', async () => {
  // 3 workers in all, 2 per listener: without the per-listener limit the slow backlog would hold
  // all 3 workers for 2.5 s and the fast listener would wait that long.
  const own = await startTestGateway({ SWITCHBOARD_DISPATCH_CONCURRENCY: '3', SWITCHBOARD_WEBHOOK_CONCURRENCY: '2', SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '5000' });
  try {
    const slow = await listener(() => ({ status: 200, delayMs: 2500 }));
    const fast = await listener(() => 200);
    await createApp(own, {
      shortCodes: [
        { shortCode: '22627202', moDelivery: 'callback', listenerUrl: slow.url },
        { shortCode: '22627203', moDelivery: 'callback', listenerUrl: fast.url },
      ],
    });
    for (let i = 0; i < 4; i += 1) await sendMo(own, '+14255550112', '22627202', `slow ${i}`);
    while (slow.inFlight() < 2) await sleep(20);
    const sentAt = Date.now();
    await sendMo(own, '+14255550112', '22627203', 'fast one');
    const [r] = await fast.waitFor(1);
    assert.ok(r!.at - sentAt < 1500, `fast listener served in ${r!.at - sentAt} ms`);
    await slow.waitFor(4, 15_000);
    assert.equal(slow.maxInFlight(), 2);
    assert.deepEqual(
      slow.received.map((x) => JSON.parse(x.body).Message).sort(),
      ['slow 0', 'slow 1', 'slow 2', 'slow 3'],
    );
  } finally {
    await own.close();
  }
});

test('MO to one short code reaches its listener in arrival order', async () => {
  const l = await listener(() => 200);
  const own = await startTestGateway({ SWITCHBOARD_WEBHOOK_CONCURRENCY: '1' });
  try {
    await createApp(own, { shortCodes: [{ shortCode: '22627204', moDelivery: 'callback', listenerUrl: l.url }] });
    for (let i = 0; i < 6; i += 1) await sendMo(own, '+14255550113', '22627204', `n${i}`);
    await l.waitFor(6);
    assert.deepEqual(
      l.received.map((x) => JSON.parse(x.body).Message),
      ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'],
    );
  } finally {
    await own.close();
  }
});

test('listener URLs that point at the gateway itself are refused at registration', async () => {
  const port = new URL(gw.url).port;
  const app = await createApp(gw, {});
  for (const listenerUrl of [`${gw.url}/hook`, `http://localhost:${port}/x`, `http://[::1]:${port}/`, `http://127.0.0.2:${port}/admin/v1/apps`]) {
    const res = await gw.request('POST', `/admin/v1/apps/${app.id}/short-codes`, {
      headers: ADMIN_AUTH,
      body: { shortCode: '22627210', moDelivery: 'callback', listenerUrl },
    });
    assert.equal(res.status, 400, `${listenerUrl}: ${res.text}`);
    assert.equal(res.json().error.code, 'invalid_request');
    assert.match(res.json().error.message, /listenerUrl: the listener URL points at the gateway's own port/);
  }
  const patch = await gw.request('PATCH', `/admin/v1/apps/${app.id}`, { headers: ADMIN_AUTH, body: { deliveryStatusUrl: `${gw.url}/dr` } });
  assert.equal(patch.status, 400, patch.text);
  const create = await gw.request('POST', '/admin/v1/apps', { headers: ADMIN_AUTH, body: { name: 'selfish', deliveryStatusUrl: `${gw.url}/dr` } });
  assert.equal(create.status, 400, create.text);
  // Another port on the same host is somebody else: allowed in the sandbox.
  const ok = await gw.request('POST', `/admin/v1/apps/${app.id}/short-codes`, {
    headers: ADMIN_AUTH,
    body: { shortCode: '22627210', moDelivery: 'callback', listenerUrl: `http://127.0.0.1:${Number(port) === 65535 ? 1 : Number(port) + 1}/hook` },
  });
  assert.equal(ok.status, 201, ok.text);
});

test('production-realm apps need https listener URLs', async () => {
  const app = await createApp(gw, { realm: 'production' });
  const http = await gw.request('POST', `/admin/v1/apps/${app.id}/short-codes`, {
    headers: ADMIN_AUTH,
    body: { shortCode: '22627211', moDelivery: 'callback', listenerUrl: 'http://listener.example/mo' },
  });
  assert.equal(http.status, 400, http.text);
  const https = await gw.request('POST', `/admin/v1/apps/${app.id}/short-codes`, {
    headers: ADMIN_AUTH,
    body: { shortCode: '22627211', moDelivery: 'callback', listenerUrl: 'https://listener.example/mo' },
  });
  assert.equal(https.status, 201, https.text);
});

test('a dead letter nobody replays is deleted SWITCHBOARD_DEAD_LETTER_RETENTION_S after its window ended', async () => {
  const short = await startTestGateway({
    SWITCHBOARD_RETRY_BASE_MS: '50',
    SWITCHBOARD_RETRY_CAP_MS: '200',
    SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S: '1',
    SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '200',
    SWITCHBOARD_DEAD_LETTER_RETENTION_S: '1',
    SWITCHBOARD_STATUS_RETENTION_S: '1',
  });
  try {
    const broken = await listener(() => 500);
    const app = await createApp(short, { shortCodes: [{ shortCode: '22627202', moDelivery: 'callback', listenerUrl: broken.url }] });
    await sendMo(short, '+14255550112', '22627202', 'lost');
    const letters = async () => (await short.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH })).json().deadLetters.length;
    let seen = false;
    for (let i = 0; i < 100; i += 1) {
      const n = await letters();
      if (n === 1) seen = true;
      if (seen && n === 0) break;
      await sleep(100);
    }
    assert.ok(seen, 'dead-lettered first');
    assert.equal(await letters(), 0, 'deleted within 10 s of a 1 s window and a 1 s retention');
  } finally {
    await short.close();
  }
});
