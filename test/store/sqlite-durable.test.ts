import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const T0 = Date.UTC(2026, 0, 1);

test('with FULL, a write is answered only after the log sync that follows it; a read syncs nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-durable-'));
  const held: Array<() => void> = [];
  let syncs = 0;
  const store = openSqliteStore({
    file: join(dir, 'switchboard.db'),
    synchronous: 'FULL',
    syncFile: () => {
      syncs++;
      return new Promise<void>((resolve) => held.push(resolve));
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

    const before = syncs;
    await store.jobs.backlog(T0);
    assert.equal(syncs, before, 'a read does not sync');

    let done = false;
    const write = store.jobs.enqueue([{ kind: 'k', ref: 'r', runAt: T0, deadlineAt: T0 + 1 }]).then(() => (done = true));
    for (let i = 0; i < 20 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(held.length, 1, 'the write asked for a sync');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false, 'not answered while the sync is under way');
    releaseAll();
    await write;
    assert.equal(done, true);
    assert.equal((await store.jobs.backlog(T0)).ready, 1);
  } finally {
    const closing = store.close();
    const pump = setInterval(releaseAll, 1);
    await closing;
    clearInterval(pump);
    await rm(dir, { recursive: true, force: true });
  }
});
