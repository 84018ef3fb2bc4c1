/**
 * switchboard_http_requests_total counts "HTTP requests answered, by method, route pattern and
 * status code". Some answers are given outside fastify's onResponse hooks, where the metrics hook
 * is: a path the router cannot read (a broken %-escape: 400, a path segment over 100 characters:
 * 414) is answered by app.ts `frameworkErrors`, and a request Node's HTTP parser refuses (431, an
 * unknown method, a request line that is no request, a body that stops coming: 408) by
 * client-error.ts. A scanner or a broken client hammering the gateway with such requests was
 * invisible in /metrics. They are counted under the route `unmatched`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { sendRaw } from '../helpers/raw-http.js';

let gw: TestGateway;

before(async () => {
  // A short request timeout, for the body that stops coming.
  gw = await startTestGateway({ SWITCHBOARD_REQUEST_TIMEOUT_MS: '300' });
});
after(async () => {
  await gw.close();
});

/** The value of every `name{…}` series, by its labels as written (`method="GET",route="unmatched",status="400"`). */
async function series(name: string): Promise<Map<string, number>> {
  const res = await gw.request('GET', '/metrics');
  assert.equal(res.status, 200);
  const values = new Map<string, number>();
  for (const line of res.text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (m?.[1] === name) values.set(m[2] ?? '', Number(m[3]));
  }
  return values;
}

/** How much each series of `name` grew while `act` ran (series that did not grow left out). */
async function growth(name: string, act: () => Promise<void>): Promise<Record<string, number>> {
  const before = await series(name);
  await act();
  const grown: Record<string, number> = {};
  for (const [labels, value] of await series(name)) {
    const by = value - (before.get(labels) ?? 0);
    if (by !== 0) grown[labels] = by;
  }
  return grown;
}

/** The growth of switchboard_http_requests_total, without the scrape that reads it. */
async function answered(act: () => Promise<void>): Promise<Record<string, number>> {
  const grown = await growth('switchboard_http_requests_total', act);
  delete grown['method="GET",route="/metrics",status="200"'];
  return grown;
}

test('a 400 for a path the router cannot read is counted, under the route "unmatched", and timed', async () => {
  const paths = ['/sim/v1/handsets/%zz/messages', '/sms/v3/messaging/outbox/%zz', '/admin/v1/apps/%zz'];
  const timed = await growth('switchboard_http_request_duration_seconds_count', async () => {
    const counted = await answered(async () => {
      for (const path of paths) {
        const res = await gw.request('GET', path);
        assert.equal(res.status, 400, `${path}: ${res.text}`);
      }
    });
    assert.deepEqual(counted, { 'method="GET",route="unmatched",status="400"': 3 });
  });
  assert.equal(timed['method="GET",route="unmatched"'], 3);
});

test('a 414 for a path segment over 100 characters is counted', async () => {
  const counted = await answered(async () => {
    const res = await gw.request('GET', `/sms/v3/messaging/outbox/${'a'.repeat(120)}`);
    assert.equal(res.status, 414, res.text);
  });
  assert.deepEqual(counted, { 'method="GET",route="unmatched",status="414"': 1 });
});

test("requests Node's parser refuses are counted, an unknown method token under method=\"unknown\"", async () => {
  const counted = await answered(async () => {
    const big = await sendRaw(gw, `GET /sms/v3/messaging/outbox HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(big.status, 431);
    // Any token a client makes up would be a new series: the label set must stay bounded.
    const method = await sendRaw(gw, 'FOO /sms/v3/messaging/outbox HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(method.status, 405);
    const garbage = await sendRaw(gw, 'garbage\r\n\r\n');
    assert.equal(garbage.status, 400);
  });
  assert.deepEqual(counted, {
    'method="GET",route="unmatched",status="431"': 1,
    'method="unknown",route="unmatched",status="405"': 1,
    'method="unknown",route="unmatched",status="400"': 1,
  });
});

test('a request whose body stops coming is counted once, as the 408 it got', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] });
  const headers = Object.entries(app.auth).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const counted = await answered(async () => {
    const res = await sendRaw(gw, `POST /sms/v3/messaging/outbox HTTP/1.1\r\nHost: x\r\n${headers}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a`);
    assert.equal(res.status, 408);
    // Anything fastify does with the request it was reading has happened by now.
    await new Promise((r) => setTimeout(r, 200));
  });
  assert.deepEqual(counted, { 'method="POST",route="unmatched",status="408"': 1 });
});
