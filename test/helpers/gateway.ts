import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestGateway {
  readonly url: string;
  readonly gateway: Gateway;
  readonly dataDir: string;
  /** Sends a request to the gateway over real HTTP on 127.0.0.1. */
  request(method: string, path: string, init?: { headers?: Record<string, string>; body?: string | object }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (throws when it is not). */
  json(): any;
}

/**
 * Starts a real gateway on 127.0.0.1:0 over a fresh data dir (SQLite file), with quiet logs and a
 * known admin token. `env` overrides any setting.
 */
export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN,
    SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL',
    ...env,
  });
  const gateway = await startGateway(config);
  return {
    url: gateway.url,
    gateway,
    dataDir,
    request: (method, path, init = {}) => send(gateway.url, method, path, init),
    close: async () => {
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
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
