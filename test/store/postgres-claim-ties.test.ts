import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';
import { createApp, message, notification, recipient } from './store.contract.js';

/*
 * Two jobs made in one millisecond and due at once (two sends to one handset back to back, two MO
 * for one listener) are claimed in the order they were made. PostgreSQL returns rows of equal
 * keys in the order they lie in the table, and a jobs table whose rows come and go (every job is
 * deleted when done) gives a later row a place before an earlier one.
 */

const reachable = await postgresReachable();
const skip = reachable ? false : 'no PostgreSQL server';
const T = Date.UTC(2026, 0, 5, 12);

/**
 * Runs `second` once the page that `first` wrote its job to is full and only pages before it have
 * room: filler rows around the first job, the earlier ones deleted and vacuumed away.
 */
async function laterRowEarlierInTable(url: string, first: () => Promise<void>, second: () => Promise<void>): Promise<void> {
  const direct = new pg.Client({ connectionString: url });
  await direct.connect();
  try {
    const fill = (from: number, to: number) =>
      direct.query(`insert into jobs (id, kind, ref, queue, payload, state, run_at, attempts, locked_by, locked_until, deadline_at, last_error, created_at)
        select 'filler-' || lpad(g::text, 4, '0'), 'filler', 'f', null, repeat('x', 500), 'ready', $1, 0, null, null, $1, null, $1 from generate_series($2::int, $3::int) g`, [T, from, to]);
    await fill(0, 299);
    await first();
    await fill(300, 399);
    await direct.query("delete from jobs where kind = 'filler' and id < 'filler-0100'");
    await direct.query('vacuum jobs');
    await second();
    const { rows } = await direct.query<{ ref: string; ctid: string }>("select ref, ctid::text from jobs where kind <> 'filler' order by ctid");
    assert.equal(rows.length, 2);
    assert.ok(rows[0]?.ref.includes('second'), `the second job's row lies first in the table: ${JSON.stringify(rows)}`);
  } finally {
    await direct.end();
  }
}

async function withStore(run: (store: Store, url: string) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const store = await openPostgresStore({ url: database.url, poolSize: 2 });
  try {
    await store.migrate();
    await createApp(store, 'app1');
    await run(store, database.url);
  } finally {
    await store.close();
    await database.drop();
  }
}

test('two sends accepted in one millisecond are claimed for submission in the order they were accepted (PostgreSQL)', { skip }, async () => {
  await withStore(async (store, url) => {
    const send = (id: string) => async () => {
      const r = { ...recipient(id, 0), id: `${id}-0` };
      assert.deepEqual(await store.messages.accept(message(id, 'app1', { createdAt: T }), [r], [{ kind: 'submit', ref: r.id, runAt: T, deadlineAt: T + 60_000 }]), { created: true });
    };
    await laterRowEarlierInTable(url, send('SMSfirst'), send('SMSsecond'));
    const claimed = await store.jobs.claim({ kinds: ['submit'], workerId: 'w', limit: 10, leaseMs: 60_000, now: T });
    assert.deepEqual(claimed.map((j) => j.ref), ['SMSfirst-0', 'SMSsecond-0']);
  });
});

test('two notifications to one listener made in one millisecond are claimed in the order they were made (PostgreSQL)', { skip }, async () => {
  await withStore(async (store, url) => {
    const notify = (id: string) => async () => {
      assert.equal(await store.notifications.create({ ...notification(id, 'listener:http://127.0.0.1:9'), createdAt: T, deadlineAt: T + 60_000 }), true);
    };
    await laterRowEarlierInTable(url, notify('MOfirst'), notify('MOsecond'));
    const claim = (limit: number) => store.notifications.claimForListeners({ kinds: ['webhook'], workerId: 'w', limit, leaseMs: 60_000, now: T, freeSlots: () => 8 });
    // One at a time, as a listener with one free slot is served: the first made goes first.
    assert.deepEqual((await claim(1)).map((j) => j.ref), ['MOfirst']);
    assert.deepEqual((await claim(1)).map((j) => j.ref), ['MOsecond']);
  });
});
