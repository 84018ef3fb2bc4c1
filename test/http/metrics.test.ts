import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp, type TestApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener, type TestListener } from '../webhooks/listener.js';

let gw: TestGateway;
let other: TestGateway;
let listener: TestListener;
let app: TestApp;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const fast = {
    SWITCHBOARD_RETRY_BASE_MS: '50',
    SWITCHBOARD_RETRY_CAP_MS: '100',
    // Room for a retry when a loaded machine makes the first attempt late (1 s allowed only one).
    SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S: '3',
    SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '500',
    SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5',
  };
  [gw, other] = await Promise.all([startTestGateway(fast), startTestGateway(fast)]);
  listener = await startListener(() => 500);
  app = await createApp(gw, {
    shortCodes: [
      { shortCode: '22627300', moDelivery: 'poll' },
      { shortCode: '22627301', moDelivery: 'callback', listenerUrl: listener.url },
    ],
  });
});
after(async () => {
  await Promise.all([gw.close(), other.close(), listener.close()]);
});

/** `name{labels} value` lines of the exposition, by series (name plus its sorted labels). */
async function scrape(target: TestGateway): Promise<{ text: string; value: (series: string) => number | undefined }> {
  const res = await target.request('GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const values = new Map<string, number>();
  for (const line of res.text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels = (m[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
    values.set(`${m[1]}{${labels.sort().join(',')}}`, Number(m[3]));
  }
  return { text: res.text, value: (series) => values.get(series) };
}

async function waitForMetric(series: string, expected: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = (await scrape(gw)).value(series);
    if (got === expected) return;
    if (Date.now() > deadline) assert.fail(`${series}: ${got} after ${timeoutMs} ms, expected ${expected}`);
    await sleep(100);
  }
}

test('sends, submits, final states, MO, webhooks and store latency are counted; gateways do not share counters', async () => {
  const v3 = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, 'idempotency-key': 'metrics-1' },
    body: { outboundSMSRequest: { address: ['tel:+14255550170', 'tel:+14255550171'], message: 'Hello metrics' } },
  });
  assert.equal(v3.status, 201, v3.text);
  // An idempotent repeat sends nothing, so it is not counted again.
  const repeat = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, 'idempotency-key': 'metrics-1' },
    body: { outboundSMSRequest: { address: ['tel:+14255550170', 'tel:+14255550171'], message: 'Hello metrics' } },
  });
  assert.equal(repeat.headers.get('idempotent-replayed'), 'true');
  const ucs2 = 'Привет! A message in Cyrillic needs UCS-2, so this one goes out in two parts and arrives whole.';
  const oneapi = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627300/requests', {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: ['tel:+14255550172'], outboundSMSTextMessage: { message: ucs2 } } },
  });
  assert.equal(oneapi.status, 201, oneapi.text);
  await gw.request('PUT', '/sim/v1/handsets/4255550173', { body: { kind: 'landline' } });
  const refused = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: 'tel:+14255550173', message: 'no' } } });
  assert.equal(refused.status, 400);

  await sendMo(gw, '+14255550170', '22627300', 'to the inbox');
  await sendMo(gw, '+14255550170', '22699999', 'to nobody');
  await sendMo(gw, '+14255550171', '22627301', 'to a failing listener');

  await waitForMetric('switchboard_recipients_final_total{status="DeliveredToTerminal"}', 3);
  await waitForMetric('switchboard_webhook_dead_letters_total{}', 1);

  const { text, value } = await scrape(gw);
  assert.equal(value('switchboard_messages_accepted_total{api="att-v3"}'), 1);
  assert.equal(value('switchboard_messages_accepted_total{api="oneapi-2"}'), 1);
  assert.equal(value('switchboard_recipients_accepted_total{api="att-v3"}'), 2);
  assert.equal(value('switchboard_segments_submitted_total{}'), 4, '2 × 1 GSM part + 1 × 2 UCS-2 parts');
  assert.equal(value('switchboard_job_attempts_total{kind="submit"}'), 3);
  assert.equal(value('switchboard_mo_messages_total{disposition="inbox"}'), 1);
  assert.equal(value('switchboard_mo_messages_total{disposition="unrouted"}'), 1);
  assert.equal(value('switchboard_mo_messages_total{disposition="notify"}'), 1);
  const attempts = value('switchboard_webhook_attempts_total{}') ?? 0;
  assert.ok(attempts >= 2, `webhook attempts ${attempts}`);
  assert.equal(value('switchboard_webhook_failures_total{}'), attempts, 'the listener never answers 2xx');
  assert.equal(listener.received.length, attempts);

  assert.equal(value('switchboard_http_requests_total{method="POST",route="/sms/v3/messaging/outbox",status="201"}'), 2);
  assert.equal(value('switchboard_http_requests_total{method="POST",route="/sms/v3/messaging/outbox",status="400"}'), 1);
  assert.equal(value('switchboard_http_requests_total{method="POST",route="/:v/smsmessaging/outbound/:senderAddress/requests",status="201"}') ?? value('switchboard_http_requests_total{method="POST",route="/2/smsmessaging/outbound/:senderAddress/requests",status="201"}'), 1);
  assert.ok((value('switchboard_store_operation_duration_seconds_count{op="accept",repo="messages"}') ?? 0) >= 2);
  assert.equal(value('switchboard_dispatch_backlog_jobs{}'), 0);
  assert.equal(value('switchboard_dispatch_oldest_due_job_age_seconds{}'), 0);
  assert.match(text, /^# TYPE switchboard_store_operation_duration_seconds histogram$/m);
  assert.match(text, /^process_cpu_seconds_total /m);
  // The simulated network has no SMPP links.
  assert.doesNotMatch(text, /^switchboard_smpp_window_in_use\{/m);

  const dead = await gw.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH });
  assert.equal(dead.json().deadLetters.length, 1);

  const second = await scrape(other);
  assert.equal(second.value('switchboard_messages_accepted_total{api="att-v3"}'), undefined);
  assert.equal(second.value('switchboard_http_requests_total{method="POST",route="/sms/v3/messaging/outbox",status="201"}'), undefined);
});

test('the backlog gauges show due jobs and the age of the oldest', async () => {
  await gw.request('PUT', '/sim/v1/handsets/4255550180', { body: { online: false } });
  const sent = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: 'tel:+14255550180', message: 'wait' } } });
  assert.equal(sent.status, 201);
  // The submit is retried on the back-off schedule while the handset is off: ready, and aging.
  // Right after the accept the first attempt is due too: wait for a retry, then for the job to be due again.
  const deadline = Date.now() + 10_000;
  let backlog: number | undefined;
  let retries: number;
  do {
    await sleep(150);
    const metrics = await scrape(gw);
    backlog = metrics.value('switchboard_dispatch_backlog_jobs{}');
    retries = metrics.value('switchboard_job_retries_total{kind="submit"}') ?? 0;
  } while ((backlog !== 1 || retries < 1) && Date.now() < deadline);
  assert.equal(backlog, 1);
  assert.ok(retries >= 1);
  await gw.request('PUT', '/sim/v1/handsets/4255550180', { body: { online: true } });
  await waitForMetric('switchboard_dispatch_backlog_jobs{}', 0);
});
