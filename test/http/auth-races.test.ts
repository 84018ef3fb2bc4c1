import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN_AUTH, createApp, getToken } from '../helpers/apps.js';
import { startTestGateway, type TestGateway, type TestResponse } from '../helpers/gateway.js';
import { FAST } from './send-helpers.js';

// An operator's change (a rotated secret, a deleted app) lands while the app's requests are under
// way: each request must end as if it ran wholly before or wholly after the change.

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
const STATUS_PATH = '/sms/v3/messaging/outbox/SMS00000000000000000000000000000000';

let gw: TestGateway;
before(async () => {
  // No lockout: the streams below are many requests of one client_id from one address.
  gw = await startTestGateway({ ...FAST, SWITCHBOARD_AUTH_FAILURES_PER_MINUTE: '0' });
});
after(async () => {
  await gw.close();
});

/**
 * Requests made one every few ms for 400 ms, `change` made 100 ms in (while some are surely
 * between their secret check and their write); resolves to every answer once all have come.
 */
async function during(change: () => Promise<TestResponse>, request: (i: number) => Promise<TestResponse>): Promise<TestResponse[]> {
  const pending: Promise<TestResponse>[] = [];
  const start = Date.now();
  let changed: Promise<TestResponse> | undefined;
  for (let i = 0; Date.now() - start < 400; i++) {
    pending.push(request(i));
    if (changed === undefined && Date.now() - start >= 100) changed = change();
    await sleep(3);
  }
  const answer = await changed;
  assert.ok(answer !== undefined && answer.status < 300, `the change: ${answer?.status} ${answer?.text}`);
  return Promise.all(pending);
}

function tokenRequest(form: Record<string, string>): Promise<TestResponse> {
  return gw.request('POST', '/oauth/v4/token', { headers: FORM, body: new URLSearchParams(form).toString() });
}

/** How many of the access tokens in these answers still work. */
async function live(answers: readonly TestResponse[]): Promise<{ live: number; issued: number }> {
  const issued = answers.filter((r) => r.status === 200).map((r) => r.json().access_token as string);
  let count = 0;
  for (const token of issued) {
    const res = await gw.request('GET', STATUS_PATH, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 401) count += 1;
  }
  return { live: count, issued: issued.length };
}

function assertNo5xx(answers: readonly TestResponse[]): void {
  const failed = answers.filter((r) => r.status >= 500);
  assert.equal(failed.length, 0, `statuses ${JSON.stringify(answers.map((r) => r.status))}; a ${failed[0]?.status}: ${failed[0]?.text}`);
}

test('rotating the secret during client_credentials requests: no token obtained with the old secret outlives the rotation', async () => {
  const app = await createApp(gw);
  const answers = await during(
    () => gw.request('POST', `/admin/v1/apps/${app.id}/secret`, { headers: ADMIN_AUTH }),
    () => tokenRequest({ grant_type: 'client_credentials', client_id: app.appKey, client_secret: app.appSecret }),
  );
  assertNo5xx(answers);
  for (const r of answers) if (r.status !== 200) assert.deepEqual([r.status, r.json().error], [401, 'invalid_client'], r.text);
  const { live: alive, issued } = await live(answers);
  assert.equal(alive, 0, `${alive} of ${issued} tokens issued for the old secret still work after the rotation`);
});

test('rotating the secret during refresh_token requests: no pair refreshed with the old secret outlives the rotation', async () => {
  const app = await createApp(gw);
  const refreshTokens: string[] = [];
  for (let i = 0; i < 150; i++) refreshTokens.push((await getToken(gw, app.appKey, app.appSecret)).refresh_token);
  const answers = await during(
    () => gw.request('POST', `/admin/v1/apps/${app.id}/secret`, { headers: ADMIN_AUTH }),
    (i) => tokenRequest({ grant_type: 'refresh_token', client_id: app.appKey, client_secret: app.appSecret, refresh_token: refreshTokens[i % refreshTokens.length] ?? '' }),
  );
  assertNo5xx(answers);
  const { live: alive, issued } = await live(answers);
  assert.equal(alive, 0, `${alive} of ${issued} tokens refreshed with the old secret still work after the rotation`);
});

test('deleting the app during its token requests: 401 invalid_client, never a 500', async () => {
  const app = await createApp(gw);
  const answers = await during(
    () => gw.request('DELETE', `/admin/v1/apps/${app.id}`, { headers: ADMIN_AUTH }),
    () => tokenRequest({ grant_type: 'client_credentials', client_id: app.appKey, client_secret: app.appSecret }),
  );
  assertNo5xx(answers);
  for (const r of answers) if (r.status !== 200) assert.deepEqual([r.status, r.json().error], [401, 'invalid_client'], r.text);
});

for (const scheme of ['Bearer', 'Basic'] as const) {
  test(`deleting the app during its sends (${scheme}): 401 POL0001 with a ${scheme} challenge, never a 500`, async () => {
    const app = await createApp(gw, { shortCodes: [{ shortCode: scheme === 'Bearer' ? '22628001' : '22628002', moDelivery: 'poll' }] });
    const credentials = scheme === 'Bearer' ? app.token : Buffer.from(`${app.appKey}:${app.appSecret}`).toString('base64');
    let next = 0;
    const answers = await during(
      () => gw.request('DELETE', `/admin/v1/apps/${app.id}`, { headers: ADMIN_AUTH }),
      () =>
        gw.request('POST', '/sms/v3/messaging/outbox', {
          headers: { authorization: `${scheme} ${credentials}`, accept: 'application/json' },
          body: { outboundSMSRequest: { address: `tel:+1425203${String(next++).padStart(4, '0')}`, message: 'racing the deletion' } },
        }),
    );
    assertNo5xx(answers);
    for (const r of answers) {
      if (r.status === 201) continue;
      assert.deepEqual([r.status, r.json().RequestError.PolicyException.MessageId], [401, 'POL0001'], r.text);
      assert.match(r.headers.get('www-authenticate') ?? '', new RegExp(`^${scheme} realm="switchboard"`));
    }
  });
}
