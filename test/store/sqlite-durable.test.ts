import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 0, 1);

/** A migrated FULL store whose log syncs finish only when the test releases them. */
async function withHeldSyncs(fn: (store: Store, syncs: { held: Array<(err?: Error) => void>; count: () => number; releaseAll: () => void }) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-durable-'));
  // Called without an argument a sync succeeds; with an error it fails.
  const held: Array<(err?: Error) => void> = [];
  let count = 0;
  const store = openSqliteStore({
    file: join(dir, 'switchboard.db'),
    synchronous: 'FULL',
    syncFile: () => {
      count++;
      return new Promise<void>((resolve, reject) => held.push((err) => (err === undefined ? resolve() : reject(err))));
    },
  });
  const releaseAll = () => held.splice(0).forEach((release) => release());
  try {
    const migrated = store.migrate();
    // Migrations are writes too: let their syncs through.
    const pump = setInterval(releaseAll, 1);
    await migrated;
    clearInterval(pump);
    releaseAll();
    await fn(store, { held, count: () => count, releaseAll });
  } finally {
    const closing = store.close();
    const pump = setInterval(releaseAll, 1);
    await closing;
    clearInterval(pump);
    await rm(dir, { recursive: true, force: true });
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 40 && !(await cond()); i++) await tick(5);
}
const job = (ref: string) => [{ kind: 'k', ref, runAt: T0, deadlineAt: T0 + 1 }];

test('with FULL, a write is answered only after the log sync that follows it; a read syncs nothing', async () => {
  await withHeldSyncs(async (store, { held, count, releaseAll }) => {
    const syncs = count;
    const before = syncs();
    await store.jobs.backlog(T0);
    assert.equal(syncs(), before, 'a read does not sync');

    let done = false;
    const write = store.jobs.enqueue(job('r')).then(() => (done = true));
    for (let i = 0; i < 20 && held.length === 0; i++) await tick(5);
    assert.equal(held.length, 1, 'the write asked for a sync');
    await tick(20);
    assert.equal(done, false, 'not answered while the sync is under way');
    releaseAll();
    await write;
    assert.equal(done, true);
    assert.equal((await store.jobs.backlog(T0)).ready, 1);
  });
});

test('with FULL, writes that share a commit are answered only after a sync that began after it; writes made during a sync share the next commit', async () => {
  await withHeldSyncs(async (store, { held }) => {
    const done: string[] = [];
    const write = (ref: string) => store.jobs.enqueue(job(ref)).then(() => done.push(ref));
    const ready = async () => (await store.jobs.backlog(T0)).ready;
    const syncAsked = () => waitFor(() => held.length > 0);
    // a commits and its sync starts; b and c arrive during that sync and share the next commit.
    const writes = [write('a')];
    await syncAsked();
    writes.push(write('b'), write('c'));
    await tick(20);
    assert.equal(await ready(), 1, 'b and c wait for the sync under way before they commit');
    held.shift()?.();
    await syncAsked();
    assert.deepEqual(done, ['a']);
    assert.equal(await ready(), 3);
    assert.equal(held.length, 1, 'the shared commit asked for its own sync');
    await tick(20);
    assert.deepEqual(done, ['a'], 'b and c are not answered while their sync is under way');
    held.shift()?.();
    await waitFor(() => done.length === 3);
    assert.deepEqual(done, ['a', 'b', 'c']);
    await Promise.all(writes);
  });
});

test('with FULL, a failed log sync fails the writes it was to cover; later writes are synced and answered', async () => {
  await withHeldSyncs(async (store, { held }) => {
    const first = store.jobs.enqueue(job('a'));
    await waitFor(() => held.length > 0);
    held.shift()?.(new Error('EIO: sync failed'));
    await assert.rejects(first, /EIO/);
    const second = store.jobs.enqueue(job('b'));
    await waitFor(() => held.length > 0);
    held.shift()?.();
    await second;
    assert.equal((await store.jobs.backlog(T0)).ready, 2, 'the write of the failed sync was committed: it is kept, only its caller was not told so');
  });
});
