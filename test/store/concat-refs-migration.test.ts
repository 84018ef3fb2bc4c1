import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Dialect, Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrations } from '../../src/store/migrations/index.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';

/*
 * A store upgraded to the shared reference counters (0088) continues each handset's references
 * from the newest long message the SMPP records still hold: a part of it sent again after a crash
 * may still wait under that reference.
 */

/** Migrates `dialect`'s database as a release before 0088 did, and records long messages to two handsets. */
async function storeBefore0088(dialect: Dialect): Promise<void> {
  const db = new Kysely<unknown>({ dialect });
  try {
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0088'));
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest();
    assert.ifError(error);
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
  } finally {
    await db.destroy();
  }
}

async function checkUpgraded(store: Store): Promise<void> {
  assert.equal((await store.migrate())[0], '0088-smpp-concat-refs', 'and any later ones after it');
  assert.equal(await store.smpp.nextConcatRef('+14255550730', 50), 0, 'after 255, the newest long message there');
  assert.equal(await store.smpp.nextConcatRef('+14255550731', 50), 8);
}

test('0088 on SQLite: each handset\'s counter continues after its newest long message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
  const file = join(dir, 'switchboard.db');
  try {
    await storeBefore0088(new SqliteDialect({ database: new BetterSqlite3(file) }));
    const store = openSqliteStore({ file, synchronous: 'NORMAL' });
    try {
      await checkUpgraded(store);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('0088 on PostgreSQL: each handset\'s counter continues after its newest long message', { skip: (await postgresReachable()) ? false : 'no PostgreSQL server' }, async () => {
  const database = await createTestDatabase();
  try {
    await storeBefore0088(new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }));
    const store = await openPostgresStore({ url: database.url, poolSize: 2 });
    try {
      await checkUpgraded(store);
    } finally {
      await store.close();
    }
  } finally {
    await database.drop();
  }
});
