import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, TEST_STORE, type TestGateway, type TestResponse } from '../helpers/gateway.js';
import { FAST, handsetMessages, handsetReceives } from './send-helpers.js';

/*
 * An Idempotency-Key or clientCorrelator is remembered SWITCHBOARD_IDEMPOTENCY_RETENTION_S (24 h)
 * after its send, whatever happened to the message meanwhile: a retry after its delivery status was
 * deleted (SWITCHBOARD_STATUS_RETENTION_S, 30 min after it became final) still gets the first answer
 * and sends nothing. The retentions are cut to a second here (the sweep then runs every 250 ms).
 */

let gw: TestGateway;
let app: TestApp;
let next = 7400;
const number = () => `+1425201${String(next++).padStart(4, '0')}`;
const STATUS_SWEPT_MS = 2500;

before(async () => {
  gw = await startTestGateway({ ...FAST, SWITCHBOARD_STATUS_RETENTION_S: '1' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627400', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function v3(key: string, to: string, message = 'your order shipped', via = gw) {
  return via.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, 'idempotency-key': key },
    body: { outboundSMSRequest: { address: `tel:${to}`, message } },
  });
}

/** The retry got the first answer (status, body, Location), marked as replayed. */
function assertReplayed(first: TestResponse, retry: TestResponse): void {
  assert.equal(retry.headers.get('idempotent-replayed'), 'true', `retry was not replayed: ${retry.status} ${retry.text}`);
  assert.equal(retry.status, first.status);
  assert.equal(retry.text, first.text);
  assert.equal(retry.headers.get('location'), first.headers.get('location'));
}

/** The status of `resourceURL` is gone (read-once or swept): 400 SVC0002. */
async function statusGone(resourceUrl: string): Promise<void> {
  const res = await gw.request('GET', new URL(resourceUrl).pathname, { headers: app.auth });
  assert.equal(res.status, 400, res.text);
}

test('AT&T: a retry with the same Idempotency-Key after the delivered status was deleted is replayed, not sent again; another request with it is 409', async () => {
  const to = number();
  const first = await v3('order-42', to);
  assert.equal(first.status, 201, first.text);
  await handsetReceives(gw, to);
  await pause(STATUS_SWEPT_MS);
  await statusGone(first.json().outboundSMSResponse.resourceReference.resourceURL);

  assertReplayed(first, await v3('order-42', to));
  const other = await v3('order-42', to, 'another text');
  assert.equal(other.status, 409, other.text);
  assert.equal(other.json().RequestError.ServiceException.Variables, 'order-42,Idempotency-Key');
  await pause(200);
  assert.equal((await handsetMessages(gw, to)).length, 1, 'the handset got the message twice');
});

test('OneAPI: a retry with the same clientCorrelator after the delivered status was deleted is replayed, not sent again', async () => {
  const to = number();
  const send = (message: string) =>
    gw.request('POST', '/3/smsmessaging/outbound/tel%3A22627400/requests', {
      headers: app.auth,
      body: { outboundSMSMessageRequest: { address: [`tel:${to}`], senderAddress: 'tel:22627400', outboundSMSTextMessage: { message }, clientCorrelator: 'corr-42' } },
    });
  const first = await send('hello');
  assert.equal(first.status, 201, first.text);
  await handsetReceives(gw, to);
  await pause(STATUS_SWEPT_MS);
  await statusGone(`${first.json().outboundSMSMessageRequest.resourceURL}/deliveryInfos`);

  assertReplayed(first, await send('hello'));
  const other = await send('bye');
  assert.equal(other.status, 409, other.text);
  assert.deepEqual(other.json().requestError.serviceException.variables, ['corr-42', 'clientCorrelator']);
  await pause(200);
  assert.equal((await handsetMessages(gw, to)).length, 1, 'the handset got the message twice');
});

test('a key is forgotten SWITCHBOARD_IDEMPOTENCY_RETENTION_S after its send: a request with it then is a new message', async () => {
  const short = await startTestGateway({ ...FAST, SWITCHBOARD_IDEMPOTENCY_RETENTION_S: '1', SWITCHBOARD_STATUS_RETENTION_S: '1' });
  try {
    const own = await createApp(short, { shortCodes: [{ shortCode: '22627401', moDelivery: 'poll' }] });
    const to = number();
    const send = (message: string) =>
      short.request('POST', '/sms/v3/messaging/outbox', { headers: { ...own.auth, 'idempotency-key': 'k' }, body: { outboundSMSRequest: { address: `tel:${to}`, message } } });
    const first = await send('one');
    assert.equal(first.status, 201, first.text);
    assertReplayed(first, await send('one'));
    await pause(STATUS_SWEPT_MS);
    const later = await send('two');
    assert.equal(later.status, 201, later.text);
    assert.equal(later.headers.get('idempotent-replayed'), null);
    assert.notEqual(later.json().outboundSMSResponse.messageId, first.json().outboundSMSResponse.messageId);
    assert.deepEqual((await handsetReceives(short, to, 2)).map((m) => m.text).sort(), ['one', 'two']);
  } finally {
    await short.close();
  }
});

// Two instances share a store only on PostgreSQL: registered in that pass alone, so the SQLite pass reports no skip.
if (TEST_STORE === 'postgres') test(
  'two gateways on one PostgreSQL database: concurrent requests with one key, to both, send one message and all get its answer',
  async () => {
    const other = await startTestGateway({ ...FAST, SWITCHBOARD_DATABASE_URL: gw.env.SWITCHBOARD_DATABASE_URL ?? '', SWITCHBOARD_DATABASE_POOL_SIZE: '4' });
    try {
      for (const round of [1, 2, 3]) {
        const to = number();
        const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => v3(`race-${round}`, to, 'raced', i % 2 === 0 ? gw : other)));
        for (const a of answers) assert.equal(a.status, 201, a.text);
        // Each on the origin it was sent to (the two gateways' ports differ).
        assert.equal(new Set(answers.map((a) => a.json().outboundSMSResponse.messageId)).size, 1, 'every answer names the one message');
        answers.forEach((a, i) => assert.ok(a.json().outboundSMSResponse.resourceReference.resourceURL.startsWith(`${(i % 2 === 0 ? gw : other).url}/`), a.text));
        assert.equal(answers.filter((a) => a.headers.get('idempotent-replayed') === null).length, 1, 'one of them made it');
        await handsetReceives(gw, to);
        await pause(200);
        assert.equal((await handsetMessages(gw, to)).length, 1, 'the handset got the message twice');
      }
    } finally {
      await other.close();
    }
  },
);
