import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testUpgrade } from './upgrade.js';

/*
 * Subscriptions made before routing looked them up by keyword (0090) are found by it: their
 * keyword is folded as the code folds it, not as SQLite's lower() would (ASCII only).
 */
await testUpgrade(
  '0090-subscriptions-keyword',
  'subscriptions made before it are found by their keyword',
  async (db) => {
    await sql`insert into apps (id, name, app_key, secret_hash, scopes, realm, signing_secret, created_at, updated_at)
      values ('app', 'demo', 'key', 'hash', 'SMS', 'sandbox', 'secret', 1, 1)`.execute(db);
    await sql`insert into short_codes (code, app_id, mo_delivery, created_at) values ('22627000', 'app', 'poll', 1)`.execute(db);
    const rows: Array<[id: string, criteria: string | null, createdAt: number]> = [
      ['summer', 'ÉTÉ', 1],
      ['stop', 'Stop', 2],
      ['every', null, 3],
    ];
    for (const [id, criteria, createdAt] of rows) {
      await sql`insert into subscriptions (id, app_id, kind, short_code, notify_url, criteria, format, api_version, created_at)
        values (${id}, 'app', 'inbound', '22627000', 'http://127.0.0.1:9/in', ${criteria}, 'JSON', '2', ${createdAt})`.execute(db);
    }
  },
  async (store) => {
    const ids = async (keywords: string[]) => (await store.subscriptions.inboundFor('22627000', keywords)).map((s) => s.id);
    assert.deepEqual(await ids(['été']), ['every', 'summer']);
    assert.deepEqual(await ids(['stop']), ['every', 'stop']);
    assert.deepEqual(await ids(['go']), ['every']);
  },
);
