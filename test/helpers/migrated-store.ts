import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { repoFile } from './root.js';

/**
 * Test gateways start on a store the migrations already ran on, copied from a template made once
 * by the store's own migrate(): migrating a fresh store took most of a test gateway's start
 * (every migration's DDL, and on PostgreSQL a database per gateway), a few hundred times per pass.
 * The gateway still runs migrate() at its start, which then finds nothing to do. The tests of
 * migrating itself (test/store/upgrade.ts, the CLI's) start from empty stores of their own.
 */

/** The store code the templates were made by: a change to it makes new ones. */
const STORE_CODE = repoFile('src/store/');

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

let codeHash: string | undefined;
function storeCodeHash(): string {
  if (codeHash === undefined) {
    const hash = createHash('sha256');
    for (const file of filesUnder(STORE_CODE)) hash.update(file.slice(STORE_CODE.length)).update(readFileSync(file));
    codeHash = hash.digest('hex').slice(0, 12);
  }
  return codeHash;
}

/**
 * Puts a migrated SQLite store file at `file` (which must not exist). The template is made in the
 * temp dir under a name of its own and renamed into place, so processes that race each make one
 * and the last rename wins, whole.
 */
export async function seedMigratedSqlite(file: string): Promise<void> {
  const template = join(tmpdir(), `switchboard-test-store-${storeCodeHash()}.db`);
  if (!existsSync(template)) {
    const dir = join(tmpdir(), `switchboard-test-store-${randomBytes(6).toString('hex')}`);
    mkdirSync(dir, { mode: 0o700 });
    try {
      const store = openSqliteStore({ file: join(dir, 'store.db'), synchronous: 'NORMAL' });
      try {
        await store.migrate();
      } finally {
        // The last connection's close checkpoints the log into the file and removes it.
        await store.close();
      }
      renameSync(join(dir, 'store.db'), template);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  copyFileSync(template, file);
}

/** Runs `fn` on a connection of its own to `url`, closed after. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The tables a test fills: every one but Kysely's record of the migrations. */
const TEST_TABLES = `select coalesce(string_agg(format('%I', tablename), ', '), '') as list
  from pg_tables where schemaname = 'public' and tablename not like 'kysely\\_migration%'`;

const made = new Map<string, Promise<void>>();

/**
 * Makes sure the migrated template database `name` exists on the server of `serverUrl`: made under
 * a temporary name and renamed, under an advisory lock so the processes of a run make it once.
 */
function migratedTemplate(serverUrl: string, prefix: string): { name: string; ready: Promise<void> } {
  const name = `${prefix}tmpl_${storeCodeHash()}`;
  let ready = made.get(name);
  if (ready === undefined) {
    ready = withClient(serverUrl, async (client) => {
      await client.query('select pg_advisory_lock(hashtext($1))', [name]);
      try {
        const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (rowCount !== 0) return;
        const building = `${prefix}tmpb_${randomBytes(6).toString('hex')}`;
        await client.query(`create database ${building}`);
        const url = new URL(serverUrl);
        url.pathname = `/${building}`;
        const store = await openPostgresStore({ url: url.toString(), poolSize: 1, connectRetryMs: 0, queryTimeoutMs: 60_000 });
        try {
          await store.migrate();
        } finally {
          await store.close();
        }
        // A database is reused by emptying these tables (recycleMigratedDatabase): that gives the
        // template back only while the migrations leave them empty.
        await withClient(url.toString(), async (db) => {
          const { rows } = await db.query<{ list: string }>(TEST_TABLES);
          const tables = rows[0]?.list ?? '';
          if (tables === '') return;
          const filled = await db.query(`select 1 from (${tables.split(', ').map((t) => `(select 1 from ${t} limit 1)`).join(' union all ')}) rows`);
          if (filled.rowCount !== 0) throw new Error('the migrations left rows in a table: test/helpers/migrated-store.ts must copy the template again instead of emptying tables');
        });
        // A database with a session still on it can be neither renamed nor copied.
        await client.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`, [building]);
        await client.query(`alter database ${building} rename to ${name}`);
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [name]);
      }
    });
    made.set(name, ready);
    // A failed attempt is not kept: the next gateway tries again.
    ready.catch(() => made.delete(name));
  }
  return { name, ready };
}

/**
 * Migrated databases this process is done with, emptied: the next test gateway takes one instead
 * of copying the template (a copy and a drop took about a second of the server's time each, the
 * drop with a checkpoint, for each of some hundreds of gateways per pass).
 */
const spare: string[] = [];

/** A migrated database for one test gateway or suite: a spare one of this process, else a new copy. */
export async function migratedDatabase(serverUrl: string, prefix: string, name: string): Promise<string> {
  const reused = spare.pop();
  if (reused !== undefined) return reused;
  const template = migratedTemplate(serverUrl, prefix);
  await template.ready;
  await withClient(serverUrl, (c) => c.query(`create database ${name} template ${template.name}`));
  return name;
}

/**
 * Gives back a database from migratedDatabase: its sessions are ended and its tables emptied, and
 * it waits for the next one. The spares are dropped when the process has nothing left to do (a
 * process that exits before, or a database that cannot be emptied, is dropped by
 * scripts/run-tests.mjs with the rest of the run's databases).
 */
export async function recycleMigratedDatabase(serverUrl: string, name: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await withClient(url.toString(), async (db) => {
    await db.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    const { rows } = await db.query<{ list: string }>(TEST_TABLES);
    const tables = rows[0]?.list ?? '';
    if (tables !== '') await db.query(`truncate ${tables} restart identity cascade`);
  });
  spare.push(name);
  if (spare.length === 1) process.once('beforeExit', () => void dropSpares(serverUrl));
}

async function dropSpares(serverUrl: string): Promise<void> {
  const names = spare.splice(0);
  await withClient(serverUrl, async (c) => {
    for (const name of names) await c.query(`drop database if exists ${name} with (force)`);
  }).catch(() => undefined);
}
