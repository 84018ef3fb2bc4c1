import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_STORE } from '../helpers/gateway.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { runCli } from './run.js';

test('two processes migrating one new store at once (a first `serve` beside `app create`) both succeed', async () => {
  // SQLite ran each migration in both and one failed (`table "apps" already exists`); PostgreSQL
  // has Kysely's lock. A few rounds, as the two must overlap.
  const failures: string[] = [];
  for (let round = 0; round < 3; round++) {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-migrate-race-'));
    const database = TEST_STORE === 'postgres' ? await createTestDatabase() : undefined;
    try {
      const env = { SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_DATABASE_URL: database?.url ?? '', SWITCHBOARD_ADMIN_TOKEN: '' };
      const [migrated, created] = await Promise.all([runCli(['migrate'], env), runCli(['app', 'create', '--name', 'race'], env)]);
      for (const r of [migrated, created]) if (r.status !== 0) failures.push(`round ${round}: exit ${r.status}: ${r.stderr.trim()}`);
    } finally {
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  assert.deepEqual(failures, []);
});

// SQLite's own lock: registered in the SQLite pass only (no skip to count in the PostgreSQL pass).
if (TEST_STORE === 'sqlite') test('a store command on a store that is up to date runs while another process holds the write lock (SQLite)', async () => {
  // Every store command migrates first; it took the write lock to find nothing to do, so a
  // running gateway's writes waited (its event loop blocked) for each `switchboard app list`.
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-migrate-lock-'));
  const env = { SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DATABASE_URL: '', SWITCHBOARD_ADMIN_TOKEN: '' };
  try {
    assert.equal((await runCli(['migrate'], env)).status, 0);
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      db.exec('begin immediate');
      console.log('held');
      setTimeout(() => { db.exec('commit'); console.log('released'); }, 8000);
    `;
    const holder = spawn(process.execPath, ['-e', script, join(dir, 'switchboard.db')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: holder.stdout });
    let released = false;
    lines.on('line', (line) => (released ||= line === 'released'));
    assert.deepEqual(await once(lines, 'line'), ['held']);
    try {
      const listed = await runCli(['app', 'list'], env);
      assert.equal(listed.status, 0, listed.stderr);
      assert.deepEqual(listed.json(), { apps: [] });
      assert.equal(released, false, 'answered while the lock was held');
    } finally {
      holder.kill();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
