import { test } from 'node:test';
import assert from 'node:assert/strict';
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
