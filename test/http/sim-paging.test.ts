/**
 * design.md §3 / README: `GET /sim/v1/handsets/{number}/messages` answers "the MT messages the
 * handset received, reassembled, oldest first". It read only the newest 1000 and said nothing, so
 * past 1000 messages the oldest vanished from the answer (and from `switchboard handset show`)
 * while the handset still held them: a user load-testing one number saw messages "lost". The list
 * now comes in pages (`limit`, at most and by default 1000, from the oldest or `after` an id),
 * with `next`, the path of the rest, while more follow.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { runCli } from '../cli/run.js';
import { FAST, waitFor } from './send-helpers.js';

let gw: TestGateway;
let app: TestApp;

before(async () => {
  gw = await startTestGateway({ ...FAST, SWITCHBOARD_DISPATCH_YIELD_MS: '0' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627900', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

interface Page {
  readonly messages: Array<{ id: string; text: string; receivedAt: string }>;
  readonly next?: string;
}

async function page(path: string): Promise<Page> {
  const res = await gw.request('GET', path);
  assert.equal(res.status, 200, res.text);
  return res.json();
}

/** Every message on the handset, following `next` from `path`; and the pages' sizes. */
async function everyPage(path: string): Promise<{ messages: Page['messages']; sizes: number[] }> {
  const messages: Page['messages'] = [];
  const sizes: number[] = [];
  for (let at: string | undefined = path; at !== undefined; ) {
    const got: Page = await page(at);
    messages.push(...got.messages);
    sizes.push(got.messages.length);
    at = got.next;
  }
  return { messages, sizes };
}

/** Sends `texts` to `to`, `workers` at a time. */
async function sendAll(to: string, texts: readonly string[], workers: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const message = texts[next++];
      const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: `tel:${to}`, message } } });
      assert.equal(res.status, 201, res.text);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

function assertOldestFirst(messages: Page['messages']): void {
  for (let i = 1; i < messages.length; i++) {
    const [a, b] = [messages[i - 1], messages[i]];
    assert.ok(a !== undefined && b !== undefined && a.id < b.id && a.receivedAt <= b.receivedAt, `out of order at ${i}: ${JSON.stringify([a, b])}`);
  }
}

test('a handset that received 1005 messages lists them all, oldest first: 1000, then `next` for the other 5', { timeout: 240_000 }, async () => {
  const to = '+14252099001';
  const texts = Array.from({ length: 1005 }, (_, i) => `msg ${String(i).padStart(4, '0')}`);
  // The first 1000 are put on the handset as the simulated network delivers one (sending 1000
  // through the API took most of a minute here), the last 5 go through Send SMS.
  const { handsets } = gw.gateway.ctx.store;
  const seeded = texts.slice(0, 1000);
  await Promise.all(
    seeded.map((text, i) =>
      handsets.deliverMt({ number: to, direction: 'MT', peer: '22627900', text, encoding: 'GSM7', segments: 1, receivedAt: Date.now(), ref: `seeded-${i}` }),
    ),
  );
  await sendAll(to, texts.slice(1000), 1);
  const path = `/sim/v1/handsets/${encodeURIComponent(to)}/messages`;
  const all = await waitFor(async () => {
    const got = await everyPage(path);
    return got.messages.length >= texts.length ? got : undefined;
  }, 60_000, 'every message delivered');
  assert.deepEqual(all.sizes, [1000, 5]);
  assert.deepEqual(new Set(all.messages.map((m) => m.text)), new Set(texts));
  assertOldestFirst(all.messages);
  const first = await page(path);
  assert.equal(first.next, `/sim/v1/handsets/%2B14252099001/messages?after=${first.messages.at(-1)?.id}&limit=1000`);

  // The CLI shows them all as well.
  const shown = await runCli(['handset', 'show', '4252099001', '--url', gw.url]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.deepEqual(
    shown.json().messages.map((m: { text: string }) => m.text),
    all.messages.map((m) => m.text),
  );
});

test('limit and after page through a handset; a page after the last message is empty and has no next', async () => {
  const to = '+14252099002';
  const texts = ['one', 'two', 'three', 'four', 'five'];
  for (const text of texts) await sendAll(to, [text], 1);
  const path = `/sim/v1/handsets/${encodeURIComponent(to)}/messages`;
  const whole = await waitFor(async () => {
    const got = await page(path);
    return got.messages.length === texts.length ? got : undefined;
  }, 10_000, 'five messages');
  assert.equal(whole.next, undefined, 'all of them in one page: no next');
  assertOldestFirst(whole.messages);

  const paged = await everyPage(`${path}?limit=2`);
  assert.deepEqual(paged.sizes, [2, 2, 1]);
  assert.deepEqual(paged.messages, whole.messages);

  const last = whole.messages.at(-1)?.id ?? '';
  assert.deepEqual(await page(`${path}?after=${last}`), { messages: [] });
  const third = whole.messages[2]?.id ?? '';
  assert.deepEqual(await page(`${path}?after=${third}&limit=1`), { messages: [whole.messages[3]], next: `${path}?after=${whole.messages[3]?.id}&limit=1` });
});

test('a limit that is no whole number from 1, or an after that is no message id, is 400', async () => {
  const path = '/sim/v1/handsets/4252099003/messages';
  for (const query of ['limit=0', 'limit=-1', 'limit=abc', 'limit=1.5', 'after=abc', 'after=', "after=1'%20or%201=1"]) {
    const res = await gw.request('GET', `${path}?${query}`);
    assert.equal(res.status, 400, `${query}: ${res.text}`);
    assert.equal(res.json().error.code, 'invalid_request', query);
  }
  // More than 1000 is 1000, as the admin lists take it.
  assert.equal((await gw.request('GET', `${path}?limit=5000`)).status, 200);
  // A page link kept from an earlier release (ids in decimal epoch milliseconds) still pages.
  assert.equal((await gw.request('GET', `${path}?after=001795887539953-000000-0123456789abcdef`)).status, 200);
});
