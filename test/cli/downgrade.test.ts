import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { TEST_STORE } from '../helpers/gateway.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { runCli } from './run.js';

/** A migration of a later release, as Kysely records it once it ran. */
const FUTURE = '9001-from-a-newer-release';

/** A migrated store on TEST_STORE with one more migration recorded than this code knows. */
async function withNewerStore(fn: (env: Record<string, string>, migrations: () => Promise<string[]>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-downgrade-'));
  const database = TEST_STORE === 'postgres' ? await createTestDatabase() : undefined;
  const env = { SWITCHBOARD_DATA_DIR: join(dir, 'data'), SWITCHBOARD_DATABASE_URL: database?.url ?? '', PORT: '0', HOST: '127.0.0.1' };
  const query = async (text: string, values: unknown[] = []): Promise<Array<{ name: string }>> => {
    if (database === undefined) {
      const db = new BetterSqlite3(join(dir, 'data', 'switchboard.db'));
      try {
        const statement = db.prepare(text);
        return statement.reader ? (statement.all(...values) as Array<{ name: string }>) : (statement.run(...values), []);
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<{ name: string }>(text.replace('?, ?', '$1, $2'), values)).rows;
    } finally {
      await client.end();
    }
  };
  try {
    const made = await runCli(['migrate'], env);
    assert.equal(made.status, 0, made.stderr);
    await query('insert into kysely_migration (name, timestamp) values (?, ?)', [FUTURE, new Date().toISOString()]);
    await fn(env, async () => (await query('select name from kysely_migration order by name')).map((r) => r.name));
  } finally {
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

test('older code on a store migrated by a newer Switchboard says so, names the migration, and leaves the store alone', async () => {
  await withNewerStore(async (env, migrations) => {
    const before = await migrations();
    // It said `migration  failed: corrupted migrations: previously executed migration … is missing`.
    for (const args of [['migrate'], ['app', 'list'], ['serve']]) {
      const res = await runCli(args, env);
      assert.equal(res.status, 2, `${args.join(' ')}: ${res.stdout}${res.stderr}`);
      assert.equal(res.stdout, '');
      assert.equal(
        res.stderr,
        `switchboard: the store was migrated by a newer Switchboard (migration ${FUTURE}, unknown to this version): run that version or a newer one on it; the store was left unchanged\n`,
        args.join(' '),
      );
    }
    assert.deepEqual(await migrations(), before);
  });
});
