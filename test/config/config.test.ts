import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, localGatewayUrl } from '../../src/config.js';
import { parseSmppUrl } from '../../src/network/smpp/connector.js';
import { nodeEntry, repoFile, ROOT } from '../helpers/root.js';
import { postgresReachable, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { runCli } from '../cli/run.js';

test('defaults: 127.0.0.1:8080, SQLite in ./data, simulated network, 48 h tokens', () => {
  const config = loadConfig({});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8080);
  assert.equal(config.network, 'simulator');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.sqliteSynchronous, 'FULL');
  assert.equal(config.tokenTtlS, 172800);
  assert.equal(config.statusRetentionS, 1800);
  assert.equal(config.idempotencyRetentionS, 86400);
  assert.equal(config.networkRetryWindowS, 259200);
  assert.equal(config.maxRecipients, 50);
  assert.equal(config.publicUrl, 'http://127.0.0.1:8080');
  assert.ok(Object.isFrozen(config));
});

test('a bad value names its variable', () => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SWITCHBOARD_NETWORK: 'carrier-pigeon' }, 'SWITCHBOARD_NETWORK'],
    [{ SWITCHBOARD_TOKEN_TTL_S: '-1' }, 'SWITCHBOARD_TOKEN_TTL_S'],
    [{ SWITCHBOARD_IDEMPOTENCY_RETENTION_S: '0' }, 'SWITCHBOARD_IDEMPOTENCY_RETENTION_S'],
    [{ SWITCHBOARD_DATABASE_URL: 'mysql://x' }, 'SWITCHBOARD_DATABASE_URL'],
    [{ SWITCHBOARD_NETWORK: 'smpp' }, 'SWITCHBOARD_SMPP_URL'],
    [{ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://127.0.0.1:2775' }, 'SWITCHBOARD_SMPP_URL'],
    [{ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: `smpp://${'g'.repeat(16)}:pw@127.0.0.1:2775` }, 'SWITCHBOARD_SMPP_URL'],
    [{ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://gw:ninechars@127.0.0.1:2775' }, 'SWITCHBOARD_SMPP_URL'],
    [{ SWITCHBOARD_SMPP_SYSTEM_TYPE: 'thirteen-char' }, 'SWITCHBOARD_SMPP_SYSTEM_TYPE'],
    [{ SWITCHBOARD_SMPP_SHORT_CODE_TON: '7' }, 'SWITCHBOARD_SMPP_SHORT_CODE_TON'],
    [{ SWITCHBOARD_SMPP_NUMBER_NPI: '19' }, 'SWITCHBOARD_SMPP_NUMBER_NPI'],
    [{ SWITCHBOARD_SMPP_RECEIPT_KEEP_S: '59' }, 'SWITCHBOARD_SMPP_RECEIPT_KEEP_S'],
    [{ SWITCHBOARD_SMPP_DEFAULT_ALPHABET: 'utf-8' }, 'SWITCHBOARD_SMPP_DEFAULT_ALPHABET'],
    [{ SWITCHBOARD_SQLITE_SYNCHRONOUS: 'OFF' }, 'SWITCHBOARD_SQLITE_SYNCHRONOUS'],
    [{ SWITCHBOARD_ADMIN_TOKEN: 'short-token' }, 'SWITCHBOARD_ADMIN_TOKEN'],
    [{ SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES: '10.0.0.0/33' }, 'SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && err.variable === variable, variable);
  }
  // The longest an SMSC takes, and the password never in the message.
  const ok = loadConfig({ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: `smpp://${'g'.repeat(15)}:eightchr@127.0.0.1:2775`, SWITCHBOARD_SMPP_SYSTEM_TYPE: 'twelve-chars' });
  assert.equal(ok.smpp.systemType, 'twelve-chars');
  assert.throws(() => loadConfig({ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://gw:ninechars@127.0.0.1:2775' }), (err: unknown) => err instanceof Error && !err.message.includes('ninechars'));
  // A URL that does not parse (port out of range) is not echoed either: it holds the password.
  for (const [variable, value] of [['SWITCHBOARD_SMPP_URL', 'smpp://sys:s3cretpw@host:99999'], ['SWITCHBOARD_DATABASE_URL', 'postgres://u:s3cretpw@host:99999/db']]) {
    assert.throws(() => loadConfig({ [variable as string]: value as string }), (err: unknown) => err instanceof ConfigError && err.variable === variable && !err.message.includes('s3cretpw'), variable);
  }
});

test("the CLI's gateway without --url: this environment's HOST:PORT as a client on this machine reaches it", () => {
  assert.equal(localGatewayUrl({}), 'http://127.0.0.1:8080');
  assert.equal(localGatewayUrl({ PORT: '18080' }), 'http://127.0.0.1:18080');
  assert.equal(localGatewayUrl({ HOST: '0.0.0.0', PORT: '18080' }), 'http://127.0.0.1:18080');
  assert.equal(localGatewayUrl({ HOST: '::', PORT: '18080' }), 'http://[::1]:18080');
  assert.equal(localGatewayUrl({ HOST: 'fd00::5' }), 'http://[fd00::5]:8080');
  // Only whether HTTPS is on: the certificate is the gateway's to read, not the CLI's.
  assert.equal(localGatewayUrl({ HOST: 'gw.internal', PORT: '8443', SWITCHBOARD_TLS_CERT: '/nowhere/cert.pem' }), 'https://gw.internal:8443');
  assert.throws(() => localGatewayUrl({ PORT: 'http' }), (err: unknown) => err instanceof ConfigError && err.message === 'PORT: expected a whole number, got "http"');
  assert.throws(() => localGatewayUrl({ PORT: '0' }), (err: unknown) => err instanceof ConfigError && err.message.startsWith('PORT: 0 (any free port) names no gateway to reach'));
});

test('SWITCHBOARD_PUBLIC_URL takes no user:password@, query or fragment; SWITCHBOARD_SMPP_URL needs a host and a port from 1 to 65535; neither echoes its value', () => {
  // The public URL's were put into every resourceURL and Location (`https://ops:hunter2-secret@sms.example.com/sms/v3/…`).
  const refused: [string, string, RegExp][] = [
    ['SWITCHBOARD_PUBLIC_URL', 'https://ops:hunter2-secret@sms.example.com', /must not carry a user name or password/],
    ['SWITCHBOARD_PUBLIC_URL', 'https://hunter2-secret@sms.example.com', /must not carry a user name or password/],
    ['SWITCHBOARD_PUBLIC_URL', 'https://@sms.example.com', /must not carry a user name or password/],
    ['SWITCHBOARD_PUBLIC_URL', 'https://sms.example.com/?key=hunter2-secret', /must not have a query or fragment/],
    ['SWITCHBOARD_PUBLIC_URL', 'https://sms.example.com/#hunter2-secret', /must not have a query or fragment/],
    ['SWITCHBOARD_PUBLIC_URL', 'https://sms.example.com?', /must not have a query or fragment/],
    ['SWITCHBOARD_SMPP_URL', 'smpp://gw:hunter2@smsc.example.net:0', /the port must be 1 to 65535/],
    ['SWITCHBOARD_SMPP_URL', 'smpp:gw:hunter2', /names no host/],
    // WHATWG URL refuses these, which was reported as "not a URL" (the operator trial's S3).
    ['SWITCHBOARD_SMPP_URL', 'smpp://gw:hunter2@127.0.0.1:99999', /^SWITCHBOARD_SMPP_URL: the port must be 1 to 65535, got 99999$/],
    ['SWITCHBOARD_SMPP_URL', 'smpp://gw:hunter2@127.0.0.1:27x5', /^SWITCHBOARD_SMPP_URL: the port must be a number from 1 to 65535$/],
    ['SWITCHBOARD_DATABASE_URL', 'postgres://u:hunter2@[::1:5432/db', /^SWITCHBOARD_DATABASE_URL: the host's IPv6 address has no closing \]$/],
    ['SWITCHBOARD_SMPP_URL', 'smpp://gw:hunter2@smsc example.net:2775', /^SWITCHBOARD_SMPP_URL: the host has a character no host name has/],
    ['SWITCHBOARD_PUBLIC_URL', 'https://sms.example.com:65536', /^SWITCHBOARD_PUBLIC_URL: the port must be 1 to 65535, got 65536$/],
  ];
  for (const [variable, value, message] of refused) {
    assert.throws(
      () => loadConfig({ [variable]: value }),
      (err: unknown) => err instanceof ConfigError && err.variable === variable && message.test(err.message) && !err.message.includes('hunter2'),
      value,
    );
  }
  // A path stays (a gateway behind a proxy under a prefix), and the SMSC's credentials are its bind's.
  assert.equal(loadConfig({ SWITCHBOARD_PUBLIC_URL: 'https://example.com/sms-gateway/' }).publicUrl, 'https://example.com/sms-gateway');
  assert.deepEqual(parseSmppUrl(loadConfig({ SWITCHBOARD_SMPP_URL: 'smpp://gw:pw@smsc.example.net:1' }).smpp.url ?? ''), { host: 'smsc.example.net', port: 1, tls: false, systemId: 'gw', password: 'pw' });
});

test('SMPP over TLS: smpps:// (port 3550 when absent), PEM files checked at start, TLS settings only with smpps://', () => {
  const tls = (name: string) => repoFile(`test/fixtures/tls/${name}`);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-tls-'));
  try {
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const brokenBundle = join(dir, 'bundle.pem');
    writeFileSync(brokenBundle, `# a comment\n${readFileSync(tls('localhost.crt'), 'utf8')}-----BEGIN CERTIFICATE-----\nMIIBnot==\n-----END CERTIFICATE-----\n`);
    const smpps = { SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpps://gw:pw@smsc.example' };
    assert.deepEqual(parseSmppUrl('smpps://gw:pw@smsc.example'), { host: 'smsc.example', port: 3550, tls: true, systemId: 'gw', password: 'pw' });
    assert.deepEqual(parseSmppUrl('ssmpp://gw:pw@smsc.example:2776'), { host: 'smsc.example', port: 2776, tls: true, systemId: 'gw', password: 'pw' });
    assert.equal(parseSmppUrl('smpp://gw:pw@smsc.example').port, 2775);
    assert.deepEqual(loadConfig(smpps).smpp.tls, { ca: undefined, files: { caFile: undefined } }, 'the system roots, no client certificate');
    const full = loadConfig({ ...smpps, SWITCHBOARD_SMPP_TLS_CA: tls('localhost.crt'), SWITCHBOARD_SMPP_TLS_CERT: tls('client.crt'), SWITCHBOARD_SMPP_TLS_KEY: tls('client.key') }).smpp.tls;
    assert.match(full?.ca ?? '', /BEGIN CERTIFICATE/);
    assert.match(full?.key ?? '', /PRIVATE KEY/);
    assert.deepEqual(full?.files, { caFile: tls('localhost.crt'), certFile: tls('client.crt'), keyFile: tls('client.key') }, 'read again on SIGHUP');
    assert.equal(loadConfig({}).smpp.tls, undefined);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://gw:pw@smsc.example', SWITCHBOARD_SMPP_TLS_CA: tls('localhost.crt') }, 'SWITCHBOARD_SMPP_TLS_CA', /only with an smpps:\/\//],
      [{ SWITCHBOARD_SMPP_TLS_CERT: tls('client.crt') }, 'SWITCHBOARD_SMPP_TLS_CERT', /only with an smpps:\/\//],
      [{ ...smpps, SWITCHBOARD_SMPP_TLS_CA: join(dir, 'missing.pem') }, 'SWITCHBOARD_SMPP_TLS_CA', /cannot read .*missing\.pem \(ENOENT\)/],
      [{ ...smpps, SWITCHBOARD_SMPP_TLS_CA: notPem }, 'SWITCHBOARD_SMPP_TLS_CA', /holds no PEM certificate/],
      [{ ...smpps, SWITCHBOARD_SMPP_TLS_CA: brokenBundle }, 'SWITCHBOARD_SMPP_TLS_CA', /certificate 2 of 2 in .* does not parse/],
      [{ ...smpps, SWITCHBOARD_SMPP_TLS_CERT: tls('client.crt') }, 'SWITCHBOARD_SMPP_TLS_KEY', /required with SWITCHBOARD_SMPP_TLS_CERT/],
      [{ ...smpps, SWITCHBOARD_SMPP_TLS_CERT: tls('client.crt'), SWITCHBOARD_SMPP_TLS_KEY: tls('client.crt') }, 'SWITCHBOARD_SMPP_TLS_KEY', /holds no PEM private key/],
      [{ SWITCHBOARD_SIM_SMPP_TLS_KEY: tls('localhost.key') }, 'SWITCHBOARD_SIM_SMPP_TLS_CERT', /required with SWITCHBOARD_SIM_SMPP_TLS_KEY/],
      [{ SWITCHBOARD_TLS_CERT: tls('localhost.crt') }, 'SWITCHBOARD_TLS_KEY', /required with SWITCHBOARD_TLS_CERT/],
      [{ SWITCHBOARD_TLS_CERT: tls('localhost.crt'), SWITCHBOARD_TLS_KEY: tls('client.key') }, 'SWITCHBOARD_TLS_KEY', /is not the key of the certificate in SWITCHBOARD_TLS_CERT/],
      [{ ...smpps, SWITCHBOARD_SMPP_TLS_CERT: tls('client.crt'), SWITCHBOARD_SMPP_TLS_KEY: tls('localhost.key') }, 'SWITCHBOARD_SMPP_TLS_KEY', /is not the key of the certificate/],
      [{ SWITCHBOARD_TLS_CERT: tls('localhost.crt'), SWITCHBOARD_TLS_KEY: tls('localhost.crt') }, 'SWITCHBOARD_TLS_KEY', /holds no PEM private key/],
    ];
    for (const [env, variable, message] of cases) {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && err.variable === variable && message.test(err.message), `${variable}: ${message}`);
    }
    assert.ok(loadConfig({ SWITCHBOARD_SIM_SMPP_TLS_CERT: tls('localhost.crt'), SWITCHBOARD_SIM_SMPP_TLS_KEY: tls('localhost.key') }).simSmppTls);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SWITCHBOARD_TRUST_PROXY: off by default; true, a hop count, or addresses, ranges and names', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ SWITCHBOARD_TRUST_PROXY: 'false' }).trustProxy, false);
  assert.equal(loadConfig({ SWITCHBOARD_TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ SWITCHBOARD_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(loadConfig({ SWITCHBOARD_TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::/32 ,192.0.2.7' }).trustProxy, ['loopback', '10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
  for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.1/8/2', '::1/129', 'loopback,']) {
    assert.throws(
      () => loadConfig({ SWITCHBOARD_TRUST_PROXY: bad }),
      (err: unknown) => err instanceof ConfigError && err.variable === 'SWITCHBOARD_TRUST_PROXY' && /comma-separated/.test(err.message),
      bad,
    );
  }
});

test('the process stops with one line naming the variable and exit code 2', () => {
  const res = spawnSync(process.execPath, nodeEntry('src/main.ts'), {
    cwd: ROOT,
    env: { ...process.env, PORT: 'abc' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(res.status, 2);
  const lines = res.stderr.trim().split('\n');
  assert.equal(lines.length, 1, res.stderr);
  assert.match(lines[0] ?? '', /PORT/);
  assert.doesNotMatch(res.stderr, /at .*\.ts:\d+/);
});

test('the gateway\'s entry answers --help with its usage and refuses an argument, starting nothing (it started a gateway on 8080)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-help-'));
  try {
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: join(dir, 'data'), PORT: '0' };
    const help = spawnSync(process.execPath, [...nodeEntry('src/main.ts'), '--help'], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: node dist\/main\.js .*switchboard --help/);
    const bad = spawnSync(process.execPath, [...nodeEntry('src/main.ts'), 'serve'], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /^switchboard: the gateway takes no arguments, got "serve"; usage: /);
    assert.equal(existsSync(join(dir, 'data')), false, 'no data dir made');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs the gateway's entry with `env` added; its exit status, stderr lines and stdout (the log). */
function startWith(env: Record<string, string>, timeout = 120_000): { status: number | null; lines: string[]; stderr: string; stdout: string } {
  const res = spawnSync(process.execPath, nodeEntry('src/main.ts'), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout });
  return { status: res.status, lines: res.stderr.trim().split('\n'), stderr: res.stderr, stdout: res.stdout };
}

test('SWITCHBOARD_PUBLIC_URL with a password stops the process: one line naming the variable, not the password, exit code 2', () => {
  const { status, lines, stderr } = startWith({ SWITCHBOARD_PUBLIC_URL: 'https://ops:hunter2-secret@sms.example.com', PORT: '0' });
  assert.equal(status, 2, stderr);
  assert.equal(lines.length, 1, stderr);
  assert.match(stderr, /SWITCHBOARD_PUBLIC_URL: must not carry a user name or password/);
  assert.doesNotMatch(stderr, /hunter2/);
});

test('a data dir the store cannot use, and a port in use, stop the process the same way: one line naming the variable, exit code 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  const server = createServer();
  try {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const notDir = startWith({ SWITCHBOARD_DATA_DIR: file, PORT: '0' });
    assert.equal(notDir.status, 2, notDir.stderr);
    assert.equal(notDir.lines.length, 1, notDir.stderr);
    assert.match(notDir.lines[0] ?? '', /SWITCHBOARD_DATA_DIR: cannot keep the SQLite store in .*a-file: not a directory/);
    // Not first a warning to chmod it as a directory (the operator trial's C4).
    assert.doesNotMatch(notDir.stdout, /chmod|readable by other users/);

    // Under /proc, where Node 20's recursive mkdir spun for ever without a word (the operator trial's C3).
    for (const procDir of ['/proc/switchboard-nope', '/proc/switchboard-nope/data']) {
      const proc = startWith({ SWITCHBOARD_DATA_DIR: procDir, PORT: '0' }, 30_000);
      assert.equal(proc.status, 2, `${procDir}: ${proc.stderr}`);
      assert.equal(proc.lines.length, 1, proc.stderr);
      assert.match(proc.lines[0] ?? '', /^switchboard: invalid configuration: SWITCHBOARD_DATA_DIR: cannot keep the SQLite store in \/proc\/switchboard-nope.*: ENOENT/);
      const cli = await runCli(['app', 'list'], { SWITCHBOARD_DATA_DIR: procDir });
      assert.equal(cli.status, 2, `${procDir}: ${cli.stderr}`);
      assert.match(cli.stderr, /^switchboard: invalid configuration: SWITCHBOARD_DATA_DIR: cannot keep the SQLite store in \/proc\/switchboard-nope.*: ENOENT[^\n]*\n$/);
    }
    // Levels missing above the data dir are made, each 0700.
    const deep = join(dir, 'made', 'by', 'the-gateway');
    const made = await runCli(['app', 'list'], { SWITCHBOARD_DATA_DIR: deep });
    assert.equal(made.status, 0, made.stderr);
    for (const level of [join(dir, 'made'), join(dir, 'made', 'by'), deep]) assert.equal(statSync(level).mode & 0o777, 0o700, level);

    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = String((server.address() as AddressInfo).port);
    const taken = startWith({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), PORT: port });
    assert.equal(taken.status, 2, taken.stderr);
    assert.equal(taken.lines.length, 1, taken.stderr);
    assert.match(taken.lines[0] ?? '', new RegExp(`PORT: 127\\.0\\.0\\.1:${port} is in use by another process \\(EADDRINUSE\\)`));

    const simSmppTaken = startWith({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), PORT: '0', SWITCHBOARD_SIM_SMPP_PORT: port });
    assert.equal(simSmppTaken.status, 2, simSmppTaken.stderr);
    assert.equal(simSmppTaken.lines.length, 1, simSmppTaken.stderr);
    assert.match(simSmppTaken.lines[0] ?? '', new RegExp(`SWITCHBOARD_SIM_SMPP_PORT: 127\\.0\\.0\\.1:${port} is in use by another process \\(EADDRINUSE\\)`));
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL at start: a database or role that does not exist, or a refused password, is a setting to fix (exit 2); a server not there is exit 1', async (t) => {
  if (!(await postgresReachable())) return t.skip('no PostgreSQL server');
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  const server = createServer();
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // A port nobody listens on: the one just released.
    const closedPort = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const at = (change: (u: URL) => void): string => {
      const u = new URL(TEST_DATABASE_URL);
      change(u);
      return u.href;
    };
    const cases: Array<[string, string, number, RegExp]> = [
      ['no such database (3D000)', at((u) => (u.pathname = '/switchboard_no_such_db')), 2, /^switchboard: cannot reach PostgreSQL at .*\/switchboard_no_such_db: database "switchboard_no_such_db" does not exist$/],
      ['no such role (28000 or 28P01)', at((u) => (u.username = 'switchboard_no_such_role')), 2, /^switchboard: cannot reach PostgreSQL at switchboard_no_such_role@.*: (role "switchboard_no_such_role" does not exist|password authentication failed for user "switchboard_no_such_role")$/],
      ['connection refused', at((u) => (u.port = String(closedPort))), 1, /^switchboard: cannot reach PostgreSQL at .*: connect ECONNREFUSED /],
    ];
    // A wrong password only where the server checks it (a trust login, as on 127.0.0.1 here, takes any).
    const wrongPassword = at((u) => (u.password = 'not-the-password'));
    const probe = new pg.Client({ connectionString: wrongPassword });
    const checked = await probe.connect().then(
      () => false,
      (err: unknown) => (err as { code?: string }).code === '28P01',
    );
    await probe.end().catch(() => undefined);
    if (checked) cases.push(['wrong password (28P01)', wrongPassword, 2, /password authentication failed/]);
    for (const [what, url, status, line] of cases) {
      const res = startWith({ SWITCHBOARD_DATA_DIR: join(dir, 'data'), PORT: '0', SWITCHBOARD_DATABASE_URL: url, SWITCHBOARD_DATABASE_RETRY_MS: '0' });
      assert.equal(res.status, status, `${what}: ${res.stderr}`);
      assert.equal(res.lines.length, 1, res.stderr);
      assert.match(res.lines[0] ?? '', line, what);
      assert.doesNotMatch(res.stderr, /not-the-password/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SWITCHBOARD_SMPP_RECEIPT_KEEP_S: how long a final recipient\'s SMPP part ids are kept (an hour unless set)', () => {
  assert.equal(loadConfig({}).smpp.receiptKeepS, 3600);
  assert.equal(loadConfig({ SWITCHBOARD_SMPP_RECEIPT_KEEP_S: '600' }).smpp.receiptKeepS, 600);
});

test('SWITCHBOARD_SMPP_DEFAULT_ALPHABET: gsm unless set, or ascii or latin1 (any case); another value names the setting and the choices', () => {
  assert.equal(loadConfig({}).smpp.defaultAlphabet, 'gsm');
  assert.equal(loadConfig({ SWITCHBOARD_SMPP_DEFAULT_ALPHABET: 'ascii' }).smpp.defaultAlphabet, 'ascii');
  assert.equal(loadConfig({ SWITCHBOARD_SMPP_DEFAULT_ALPHABET: 'Latin1' }).smpp.defaultAlphabet, 'latin1');
  assert.throws(
    () => loadConfig({ SWITCHBOARD_SMPP_DEFAULT_ALPHABET: 'ia5' }),
    (err: unknown) => err instanceof ConfigError && err.message === 'SWITCHBOARD_SMPP_DEFAULT_ALPHABET: expected one of gsm, ascii, latin1, got "ia5"',
  );
});

test('SWITCHBOARD_JOB_LEASE_MS with an SMSC: longer than the submit response timeout plus a second, or no submit could be sent in time', () => {
  const smpp = { SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://gw:pw@127.0.0.1:2775' };
  assert.equal(loadConfig({ ...smpp, SWITCHBOARD_JOB_LEASE_MS: '11001' }).jobLeaseMs, 11001);
  assert.throws(
    () => loadConfig({ ...smpp, SWITCHBOARD_JOB_LEASE_MS: '11000' }),
    (err: unknown) => err instanceof ConfigError && err.variable === 'SWITCHBOARD_JOB_LEASE_MS' && /SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS \(10000\) plus 1000 ms/.test(err.message),
  );
  assert.equal(loadConfig({ ...smpp, SWITCHBOARD_JOB_LEASE_MS: '2000', SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS: '500' }).jobLeaseMs, 2000);
  // The simulated network queues nothing behind a lease.
  assert.equal(loadConfig({ SWITCHBOARD_JOB_LEASE_MS: '1000' }).jobLeaseMs, 1000);
});
