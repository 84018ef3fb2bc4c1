import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { seedMigratedSqlite } from './migrated-store.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * The store the integration suites run on: `SWITCHBOARD_TEST_STORE=postgres` gives each test
 * gateway a fresh database on the server of SWITCHBOARD_TEST_DATABASE_URL, dropped in close();
 * anything else (the default) a SQLite file in its temp data dir. `npm test` runs both.
 */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.SWITCHBOARD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** The database of each data dir this process created, so a restart over the same dir finds its data. */
const databases = new Map<string, TestDatabase>();

export interface TestGateway {
  readonly url: string;
  readonly gateway: Gateway;
  readonly dataDir: string;
  /** The settings it was started with (on PostgreSQL including SWITCHBOARD_DATABASE_URL). */
  readonly env: Readonly<Record<string, string>>;
  /** Sends a request to the gateway over real HTTP on 127.0.0.1. */
  request(method: string, path: string, init?: { headers?: Record<string, string>; body?: string | object }): Promise<TestResponse>;
  /** Stops the gateway and removes its data dir (and its database). */
  close(): Promise<void>;
  /** Stops the gateway, keeping its data, and starts a new one over the same data (`env` added). */
  restart(env?: Record<string, string>): Promise<TestGateway>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (throws when it is not). */
  json(): any;
}

/**
 * Starts a real gateway on 127.0.0.1:0 over a fresh data dir, with quiet logs and a known admin
 * token, on the store named by TEST_STORE. `env` overrides any setting; passing the
 * SWITCHBOARD_DATA_DIR of an earlier test gateway reuses its data (and, on PostgreSQL, its database).
 * `options` go to startGateway (a logger whose lines the test reads).
 */
export async function startTestGateway(env: Record<string, string> = {}, options: GatewayOptions = {}): Promise<TestGateway> {
  const dataDir = env.SWITCHBOARD_DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'switchboard-test-')));
  const storeEnv: Record<string, string> = {};
  if (TEST_STORE === 'sqlite' && env.SWITCHBOARD_DATA_DIR === undefined && env.SWITCHBOARD_DATABASE_URL === undefined) {
    await seedMigratedSqlite(join(dataDir, 'switchboard.db'));
  }
  if (TEST_STORE === 'postgres' && env.SWITCHBOARD_DATABASE_URL === undefined) {
    let database = databases.get(dataDir);
    if (database === undefined) {
      database = await createTestDatabase({ migrated: true });
      databases.set(dataDir, database);
    }
    // Several gateways run at once in a test file; keep each one's share of the server small.
    storeEnv.SWITCHBOARD_DATABASE_POOL_SIZE = '4';
    storeEnv.SWITCHBOARD_DATABASE_URL = database.url;
  }
  const settings: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN,
    SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL',
    ...storeEnv,
    ...env,
  };
  const dropData = async () => {
    await rm(dataDir, { recursive: true, force: true });
    const database = databases.get(dataDir);
    databases.delete(dataDir);
    await database?.drop();
  };
  let gateway: Gateway;
  try {
    gateway = await startGateway(loadConfig(settings), options);
  } catch (err) {
    if (env.SWITCHBOARD_DATA_DIR === undefined) await dropData();
    throw err;
  }
  return {
    url: gateway.url,
    gateway,
    dataDir,
    env: settings,
    request: (method, path, init = {}) => send(gateway.url, method, path, init),
    close: async () => {
      await gateway.close();
      await dropData();
    },
    restart: async (more = {}) => {
      await gateway.close();
      return startTestGateway({ ...settings, PORT: '0', ...more });
    },
  };
}

export async function send(
  base: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | object } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (typeof init.body === 'string') body = init.body;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => JSON.parse(text),
  };
}
