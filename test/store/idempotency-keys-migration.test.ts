import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testUpgrade } from './upgrade.js';

/*
 * The keys of sends stored before they had their own table (0092) move there, with the request
 * hash and the answer a repeat gets, for a day after the send; a send without keys leaves nothing.
 */

const T = Date.UTC(2026, 0, 5, 12);
const DAY_MS = 86_400_000;
const ANSWER = { status: 201, location: 'http://gw/sms/v3/messaging/outbox/SMS1', body: { outboundSMSResponse: { messageId: 'SMS1' } } };

await testUpgrade(
  '0092-idempotency-keys',
  'the keys of the sends stored before it are found, with their hash and answer, and kept a day after the send',
  async (db) => {
    await sql`insert into apps (id, name, app_key, secret_hash, scopes, realm, signing_secret, created_at, updated_at)
      values ('app', 'demo', 'key', 'hash', 'SMS', 'sandbox', 'secret', 1, 1)`.execute(db);
    const rows: Array<[id: string, key: string | null, correlator: string | null, hash: string]> = [
      ['SMS1', 'key-1', 'corr-1', 'legacy:h1'],
      ['SMS2', null, 'corr-2', 'legacy:h2'],
      ['SMS3', null, null, ''],
    ];
    for (const [id, key, correlator, hash] of rows) {
      await sql`insert into messages (id, app_id, api, sender, text, encoding, segments, notify_mode, client_correlator, idempotency_key, request_hash, response, created_at)
        values (${id}, 'app', 'att-v3', '22627000', 'hi', 'GSM7', 1, 'none', ${correlator}, ${key}, ${hash}, ${JSON.stringify(ANSWER)}, ${T})`.execute(db);
    }
  },
  async (store) => {
    const keys = { appId: 'app', idempotencyKey: 'key-1', clientCorrelator: null };
    assert.deepEqual(await store.messages.findIdempotent(keys), {
      messageId: 'SMS1',
      appId: 'app',
      idempotencyKey: 'key-1',
      clientCorrelator: 'corr-1',
      requestHash: 'legacy:h1',
      response: ANSWER,
      expiresAt: T + DAY_MS,
    });
    assert.equal((await store.messages.findIdempotent({ appId: 'app', idempotencyKey: null, clientCorrelator: 'corr-2' }))?.messageId, 'SMS2');
    // Kept past the message, until a day after the send.
    assert.equal(await store.messages.sweepIdempotent(T + DAY_MS - 1, 10), 0);
    assert.equal(await store.messages.sweepIdempotent(T + DAY_MS, 10), 2, 'the send without keys left none');
    assert.equal(await store.messages.findIdempotent(keys), undefined);
  },
);
