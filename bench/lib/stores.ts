import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type StoreKind = 'sqlite' | 'postgres';

export const DEFAULT_DATABASE_URL = 'postgres://switchboard:switchboard@127.0.0.1:5432/switchboard_test';

/** A fresh, empty store for one scenario: a temp data dir, or a new PostgreSQL database. */
export interface BenchStore {
  readonly kind: StoreKind;
  readonly env: Record<string, string>;
  readonly sqliteFile?: string;
  readonly databaseUrl?: string;
  drop(): Promise<void>;
}

export async function freshStore(kind: StoreKind): Promise<BenchStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  if (kind === 'sqlite') {
    return {
      kind,
      env: { SWITCHBOARD_DATA_DIR: dataDir },
      sqliteFile: join(dataDir, 'switchboard.db'),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const admin = new URL(process.env.SWITCHBOARD_TEST_DATABASE_URL || DEFAULT_DATABASE_URL);
  const name = `sb_bench_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
    await client.query(`create database ${name}`);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    const where = `${admin.username}@${admin.host}${admin.pathname}`;
    throw new Error(`no PostgreSQL for the bench at ${where} (${err instanceof Error ? err.message : String(err)}): set SWITCHBOARD_TEST_DATABASE_URL (a role that may CREATE DATABASE) or run --store sqlite`, { cause: err });
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    kind,
    env: { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_DATABASE_URL: url.toString() },
    databaseUrl: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
