import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testUpgrade } from './upgrade.js';

/*
 * A store upgraded to the shared reference counters (0088) continues each handset's references
 * from the newest long message the SMPP records still hold: a part of it sent again after a crash
 * may still wait under that reference.
 */
await testUpgrade(
  '0088-smpp-concat-refs',
  "each handset's counter continues after its newest long message",
  // Long messages to two handsets, as a release before 0088 recorded them.
  async (db) => {
    await sql`insert into apps (id, name, app_key, secret_hash, scopes, realm, signing_secret, created_at, updated_at)
      values ('app', 'demo', 'key', 'hash', 'SMS', 'sandbox', 'secret', 1, 1)`.execute(db);
    await sql`insert into messages (id, app_id, api, sender, text, encoding, segments, notify_mode, request_hash, response, created_at)
      values ('SMS1', 'app', 'att-v3', '22627000', 'long', 'GSM7', 2, 'none', 'hash', '{}', 1)`.execute(db);
    const rows: Array<[recipient: string, e164: string, total: number, ref: number, createdAt: number]> = [
      ['SMS1-0', '+14255550730', 2, 200, 10],
      ['SMS1-1', '+14255550730', 3, 255, 30],
      ['SMS1-2', '+14255550730', 1, 0, 40], // single-part: no reference
      ['SMS1-3', '+14255550731', 2, 7, 20],
    ];
    for (const [recipient, e164, total, ref, createdAt] of rows) {
      await sql`insert into message_recipients (id, message_id, seq, address_original, e164, status, updated_at)
        values (${recipient}, 'SMS1', ${Number(recipient.slice(-1))}, ${e164}, ${e164}, 'DeliveredToNetwork', 1)`.execute(db);
      await sql`insert into smpp_messages (recipient_id, message_id, total, concat_ref, created_at)
        values (${recipient}, 'SMS1', ${total}, ${ref}, ${createdAt})`.execute(db);
    }
  },
  async (store) => {
    assert.equal(await store.smpp.nextConcatRef('+14255550730', 50), 0, 'after 255, the newest long message there');
    assert.equal(await store.smpp.nextConcatRef('+14255550731', 50), 8);
  },
);
