import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createOutbound } from '../../src/dispatch/outbound.js';
import { ApiError } from '../../src/errors.js';
import type { NotifyRequest, SendRequest } from '../../src/sms/send.js';
import type { Store } from '../../src/store/store.js';
import { testUpgrade } from './upgrade.js';

/*
 * Sends stored before a replay compared only what the client sent (0091) kept a hash that took the
 * sender and the receipt target from the app's settings. An identical repeat of one is still
 * replayed while those settings are unchanged, as it was before the upgrade; another request with
 * its key is still 409.
 */

const T = Date.UTC(2026, 0, 5, 12);
const TO = '+14255550100';
const STORED = { status: 201, location: 'http://gw/sms/v3/messaging/outbox/SMS1', body: { outboundSMSResponse: { messageId: 'SMS1' } } };

/** The hash as the release before 0091 made it. */
function oldHash(api: string, sender: string, text: string, notify: NotifyRequest, clientCorrelator: string | null, extra: object | null): string {
  const value = { api, sender, recipients: [[TO, `tel:${TO}`]], text, notify, clientCorrelator, extra };
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

async function seedMessage(db: Kysely<unknown>, id: string, m: { api: string; text: string; notify: NotifyRequest; key: string | null; correlator: string | null; hash: string }): Promise<void> {
  const url = m.notify.mode === 'none' ? null : m.notify.url;
  await sql`insert into messages (id, app_id, api, sender, text, encoding, segments, notify_mode, notify_url, client_correlator, idempotency_key, request_hash, response, created_at)
    values (${id}, 'app', ${m.api}, '22627000', ${m.text}, 'GSM7', 1, ${m.notify.mode}, ${url}, ${m.correlator}, ${m.key}, ${m.hash}, ${JSON.stringify({ ...STORED, body: { id } })}, ${T})`.execute(db);
  await sql`insert into message_recipients (id, message_id, seq, address_original, e164, status, updated_at)
    values (${`${id}-0`}, ${id}, 0, ${`tel:${TO}`}, ${TO}, 'DeliveredToNetwork', ${T})`.execute(db);
}

const ATT_NOTIFY: NotifyRequest = { mode: 'att', url: 'http://127.0.0.1:9/dr' };
const SUBSCRIBED: NotifyRequest = { mode: 'oneapi', url: 'http://127.0.0.1:9/receipts', callbackData: 'cb' };

await testUpgrade(
  '0091-legacy-request-hashes',
  'an identical repeat of a send stored before it is replayed; another request with its key is 409',
  async (db) => {
    await sql`insert into apps (id, name, app_key, secret_hash, scopes, realm, signing_secret, created_at, updated_at)
      values ('app', 'demo', 'key', 'hash', 'SMS', 'sandbox', 'secret', 1, 1)`.execute(db);
    // AT&T with notifyDeliveryStatus (the app's delivery status URL in the hash, and its first short code).
    await seedMessage(db, 'SMS1', { api: 'att-v3', text: 'att', notify: ATT_NOTIFY, key: 'key-1', correlator: null, hash: oldHash('att-v3', '22627000', 'att', ATT_NOTIFY, null, null) });
    // OneAPI without receiptRequest, reported to the app's subscription.
    await seedMessage(db, 'SMS2', {
      api: 'oneapi-2',
      text: 'oneapi',
      notify: SUBSCRIBED,
      key: null,
      correlator: 'corr-1',
      hash: oldHash('oneapi-2', '22627000', 'oneapi', SUBSCRIBED, 'corr-1', { senderName: null }),
    });
  },
  async (store) => {
    const outbound = createOutbound({ config: loadConfig({ SWITCHBOARD_DATA_DIR: tmpdir() }), store, clock: { now: () => T + 1000 }, log: pino({ level: 'silent' }), notified: () => undefined });
    const send = (request: Partial<SendRequest>) =>
      outbound.outbox.send(
        {
          api: 'att-v3',
          appId: 'app',
          sender: '22627000',
          address: `tel:${TO}`,
          message: 'att',
          receipt: { mode: 'att' },
          notify: async () => ATT_NOTIFY,
          clientCorrelator: null,
          idempotencyKey: 'key-1',
          ...request,
        },
        // A replay builds its answer for the remembered message (its URLs on this request's origin).
        (messageId) => ({ ...STORED, body: { replayed: messageId } }),
      );
    const oneapi: Partial<SendRequest> = {
      api: 'oneapi-2',
      message: 'oneapi',
      receipt: { mode: 'none' },
      notify: async () => SUBSCRIBED,
      clientCorrelator: 'corr-1',
      idempotencyKey: null,
      extra: { senderName: null },
    };

    assert.deepEqual(await send({}), { response: { ...STORED, body: { replayed: 'SMS1' } }, created: false });
    assert.deepEqual(await send(oneapi), { response: { ...STORED, body: { replayed: 'SMS2' } }, created: false });
    await refused(() => send({ message: 'other' }), ['key-1', 'Idempotency-Key']);
    await refused(() => send({ ...oneapi, message: 'other' }), ['corr-1', 'clientCorrelator']);
    await noMoreMessages(store);
  },
);

async function refused(attempt: () => Promise<unknown>, variables: string[]): Promise<void> {
  await assert.rejects(attempt, (err) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.id, 'SVC0005');
    assert.deepEqual(err.variables, variables);
    return true;
  });
}

/** Nothing was accepted anew: only the two seeded messages' submits could exist. */
async function noMoreMessages(store: Store): Promise<void> {
  const jobs = await store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 10, leaseMs: 1000, now: T + 2000 });
  assert.deepEqual(jobs, []);
}
