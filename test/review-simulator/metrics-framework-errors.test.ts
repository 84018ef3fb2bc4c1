/**
 * switchboard_http_requests_total says "HTTP requests answered, by method, route pattern and status
 * code". A request whose path the router cannot read (a broken %-escape: 400, a path segment over
 * 100 characters: 414) is answered by app.ts `frameworkErrors`, which runs no onResponse hook, so
 * the answer never reaches the counter (nor the duration histogram): a scanner or a broken client
 * hammering the gateway with such paths is invisible in /metrics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;

before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

/** Sum of every switchboard_http_requests_total series whose status label is `status`. */
async function answered(status: string): Promise<number> {
  const res = await gw.request('GET', '/metrics');
  assert.equal(res.status, 200);
  let sum = 0;
  for (const line of res.text.split('\n')) {
    if (!line.startsWith('switchboard_http_requests_total{')) continue;
    if (!line.includes(`status="${status}"`)) continue;
    sum += Number(line.split(' ').pop());
  }
  return sum;
}

test('a 400 for a path the router cannot read is counted in switchboard_http_requests_total', async () => {
  const before400 = await answered('400');
  for (const path of ['/sim/v1/handsets/%zz/messages', '/sms/v3/messaging/outbox/%zz', '/admin/v1/apps/%zz']) {
    const res = await gw.request('GET', path);
    assert.equal(res.status, 400, `${path}: ${res.text}`);
  }
  assert.equal(await answered('400'), before400 + 3, 'three 400 answers, none counted');
});

test('a 414 for a path segment over 100 characters is counted', async () => {
  const before414 = await answered('414');
  const res = await gw.request('GET', `/sms/v3/messaging/outbox/${'a'.repeat(120)}`);
  assert.equal(res.status, 414, res.text);
  assert.equal(await answered('414'), before414 + 1);
});
