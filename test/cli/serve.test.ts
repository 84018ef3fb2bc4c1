import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import { CLI_FROM_SOURCE, runCli } from './run.js';
import { repoFile } from '../helpers/root.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';

const BIN = repoFile('bin/switchboard.js');
const postgres = await postgresReachable();

interface Served {
  readonly url: string;
  /** Every stdout line so far. */
  readonly lines: string[];
  stop(): Promise<number | null>;
  /** `kill -9`. */
  crash(): Promise<number | null>;
}

/** `switchboard serve` on port 0 over `dataDir`, without SWITCHBOARD_ADMIN_TOKEN unless `extra` sets it; resolves once it listens. */
function serve(dataDir: string, extra: Record<string, string> = {}): Promise<Served> {
  const env: Record<string, string | undefined> = { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_TEST_CLI_FROM_SOURCE: CLI_FROM_SOURCE };
  delete env.SWITCHBOARD_ADMIN_TOKEN;
  delete env.SWITCHBOARD_DATABASE_URL;
  Object.assign(env, extra);
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  // On 'close', not 'exit': its last lines may still be in the pipe when it exits.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (!line.includes('switchboard listening')) return;
      const url = JSON.parse(line).url as string;
      resolve({
        url,
        lines,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
        crash: () => {
          child.kill('SIGKILL');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

/** `switchboard smsc --port 0` over `dataDir`; resolves once it listens, with its SMPP port and every stdout line so far. */
async function smsc(dataDir: string, extra: Record<string, string>): Promise<{ smppPort: number; lines: string[]; stop(): Promise<number | null> }> {
  const env: Record<string, string | undefined> = { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_TEST_CLI_FROM_SOURCE: CLI_FROM_SOURCE, ...extra };
  delete env.SWITCHBOARD_DATABASE_URL;
  const child = spawn(process.execPath, [BIN, 'smsc', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const smppPort = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const port = /^switchboard smsc: smpp=127\.0\.0\.1:(\d+) /.exec(line)?.[1];
      if (port !== undefined) resolve(Number(port));
    });
    void exited.then((code) => reject(new Error(`smsc exited with ${code}`)));
  });
  return {
    smppPort,
    lines,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The JSON log lines among `lines`. */
function logged(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

// Every test has its own data dir and ports: they run side by side (each is mostly process starts).
describe('serve, admin-token and smsc as processes', { concurrency: true }, () => {
  test('serve generates an admin token at first start, prints it once, and the CLI can rotate it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    try {
      const first = await serve(dataDir);
      const announced = first.lines.filter((l) => l.startsWith('switchboard: generated admin token'));
      assert.equal(announced.length, 1, first.lines.join('\n'));
      const token = /: ([0-9a-f]{48})$/.exec(announced[0] ?? '')?.[1];
      assert.ok(token !== undefined, announced[0]);
      assert.equal(first.lines.filter((l) => l.startsWith('switchboard: next: ')).length, 1, 'a first start says where to go next');
      const ok = await fetch(`${first.url}/admin/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.equal((await fetch(`${first.url}/admin/v1/apps`)).status, 401);
      assert.equal(await first.stop(), 0);

      // Second start over the same data dir: nothing printed, the same token still works.
      const second = await serve(dataDir);
      assert.ok(!second.lines.some((l) => l.includes('generated admin token') || l.startsWith('switchboard: next:')));
      assert.equal((await fetch(`${second.url}/admin/v1/apps`, { headers: { authorization: `Bearer ${token}` } })).status, 200);

      // `switchboard admin-token` on the data dir while it runs: the new token works at once, the old one no longer.
      const rotated = await runCli(['admin-token'], { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_TOKEN: '', SWITCHBOARD_DATABASE_URL: '' });
      assert.equal(rotated.status, 0, rotated.stderr);
      const fresh = rotated.json().adminToken as string;
      assert.equal((await fetch(`${second.url}/admin/v1/apps`, { headers: { authorization: `Bearer ${fresh}` } })).status, 200);
      assert.equal((await fetch(`${second.url}/admin/v1/apps`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
      const apps = await runCli(['app', 'list', '--url', second.url, '--admin-token', fresh]);
      assert.equal(apps.status, 0, apps.stderr);
      assert.deepEqual(apps.json(), { apps: [] });
      assert.equal(await second.stop(), 0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a first start that does not come to serve (PORT or SWITCHBOARD_SIM_SMPP_PORT taken) prints no admin token; the first one that serves does', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    const taken = createServer();
    try {
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = String((taken.address() as AddressInfo).port);
      const env = { HOST: '127.0.0.1', LOG_LEVEL: 'info', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_TOKEN: '', SWITCHBOARD_DATABASE_URL: '' };
      // The port is found taken at listen; the simulator's SMPP port only once the gateway listens.
      for (const [extra, setting] of [[{ PORT: port }, 'PORT'], [{ PORT: '0', SWITCHBOARD_SIM_SMPP_PORT: port }, 'SWITCHBOARD_SIM_SMPP_PORT']] as const) {
        const failed = await runCli(['serve'], { ...env, ...extra });
        assert.equal(failed.status, 2, failed.stderr);
        assert.match(failed.stderr, new RegExp(`^switchboard: invalid configuration: ${setting}: 127\\.0\\.0\\.1:${port} is in use`));
        assert.ok(!failed.stdout.includes('switchboard: '), `a start that never served printed: ${failed.stdout}`);
      }
      const first = await serve(dataDir);
      const announced = first.lines.filter((l) => l.startsWith('switchboard: generated admin token'));
      assert.equal(announced.length, 1, first.lines.join('\n'));
      const token = /: ([0-9a-f]{48})$/.exec(announced[0] ?? '')?.[1];
      assert.equal((await fetch(`${first.url}/admin/v1/apps`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      assert.equal(await first.stop(), 0);
    } finally {
      taken.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("the first start's next: line names its data dir and URL: its command, run elsewhere, makes an app this gateway knows", async () => {
    const parent = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    // A data dir the shell must have quoted.
    const dataDir = join(parent, "it's data");
    const elsewhere = join(parent, 'elsewhere');
    await mkdir(elsewhere);
    try {
      const gateway = await serve(dataDir);
      const token = /admin token \(shown once, keep it\): ([0-9a-f]{48})$/.exec(gateway.lines.find((l) => l.includes('generated admin token')) ?? '')?.[1];
      const url = gateway.url;
      const next = gateway.lines.find((l) => l.startsWith('switchboard: next: '));
      assert.equal(
        next,
        `switchboard: next: \`SWITCHBOARD_DATA_DIR='${dataDir.replace("'", "'\\''")}' npx switchboard app create --name demo\`, then README "Quickstart" with ${url} for http://127.0.0.1:8080; the web console is at ${url}/console (sign in with the admin token), the API docs at ${url}/docs`,
      );
      // As a user pastes it in another terminal and directory, with none of the gateway's settings.
      const command = /`([^`]+)`/.exec(next ?? '')?.[1]?.replace('npx switchboard', `"${process.execPath}" "${BIN}"`) ?? '';
      const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'silent', SWITCHBOARD_TEST_CLI_FROM_SOURCE: CLI_FROM_SOURCE };
      delete env.SWITCHBOARD_DATA_DIR;
      delete env.SWITCHBOARD_DATABASE_URL;
      await promisify(execFile)('sh', ['-c', command], { cwd: elsewhere, env });
      const apps = await fetch(`${url}/admin/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual(((await apps.json()) as { apps: { name: string }[] }).apps.map((a) => a.name), ['demo']);
      assert.equal(await gateway.stop(), 0);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  test('on PostgreSQL the next: line names SWITCHBOARD_DATABASE_URL without printing it (it may hold a password)', { skip: postgres ? false : 'no PostgreSQL server' }, async (t) => {
    const db = await createTestDatabase();
    t.after(() => db.drop());
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    try {
      const gateway = await serve(dataDir, { SWITCHBOARD_DATABASE_URL: db.url });
      const next = gateway.lines.find((l) => l.startsWith('switchboard: next: ')) ?? '';
      assert.match(next, /^switchboard: next: `npx switchboard app create --name demo` with this gateway's SWITCHBOARD_DATABASE_URL set, then README "Quickstart" with http:\/\/127\.0\.0\.1:\d+ for /);
      assert.ok(!next.includes(db.name) && !next.includes('postgres'), next);
      assert.equal(await gateway.stop(), 0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('admin-token warns when SWITCHBOARD_ADMIN_TOKEN overrides the stored token', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    try {
      const res = await runCli(['admin-token'], { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_TOKEN: 'from-env-0123456789', SWITCHBOARD_DATABASE_URL: '' });
      assert.equal(res.status, 0);
      assert.match(res.json().adminToken, /^[0-9a-f]{48}$/);
      assert.match(res.stderr, /^switchboard: SWITCHBOARD_ADMIN_TOKEN is set/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('admin-token refuses while the gateway takes its token from its own SWITCHBOARD_ADMIN_TOKEN, and rotates again once it does not', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    const cli = { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_TOKEN: '', SWITCHBOARD_DATABASE_URL: '' };
    const envToken = 'gateway-env-token-0123456789';
    try {
      // The walk: set in the gateway's environment, not the CLI's. The CLI printed a token that got 401.
      const gateway = await serve(dataDir, { SWITCHBOARD_ADMIN_TOKEN: envToken });
      t.after(() => gateway.stop());
      const refused = await runCli(['admin-token'], cli);
      assert.equal(refused.status, 1, refused.stdout);
      assert.equal(refused.stdout, '');
      assert.deepEqual(refused.stderr.trim().split('\n'), [
        'switchboard: the gateway takes its admin token from SWITCHBOARD_ADMIN_TOKEN in its environment: change that variable and restart the gateway (or unset it, restart, and run admin-token again)',
      ]);
      assert.equal((await fetch(`${gateway.url}/admin/v1/apps`, { headers: { authorization: `Bearer ${envToken}` } })).status, 200);
      assert.equal(await gateway.stop(), 0);

      // Restarted without it: the generated token is the one in force, and rotation works.
      const plain = await serve(dataDir);
      t.after(() => plain.stop());
      const rotated = await runCli(['admin-token'], cli);
      assert.equal(rotated.status, 0, rotated.stderr);
      assert.equal((await fetch(`${plain.url}/admin/v1/apps`, { headers: { authorization: `Bearer ${rotated.json().adminToken as string}` } })).status, 200);
      assert.equal(await plain.stop(), 0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a data dir made by hand or a store from an older release, readable by others, is warned about once at start with the chmod to run; nothing is changed', async (t) => {
    const parent = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    const dataDir = join(parent, 'data');
    const db = join(dataDir, 'switchboard.db');
    try {
      // What older releases made: a 0755 data dir and a 0644 database.
      await mkdir(dataDir, { mode: 0o755 });
      await chmod(dataDir, 0o755);
      assert.equal((await runCli(['migrate'], { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_DATABASE_URL: '' })).status, 0);
      await chmod(db, 0o644);
      const gateway = await serve(dataDir);
      t.after(() => gateway.stop());
      const warnings = gateway.lines.filter((l) => l.includes('readable by other users'));
      assert.equal(warnings.length, 1, gateway.lines.join('\n'));
      const warning = JSON.parse(warnings[0] ?? '{}');
      assert.equal(warning.level, 40);
      assert.deepEqual(warning.paths, [dataDir, db]);
      assert.equal(warning.msg, `the data dir or store files are readable by other users (a dir made by hand or files from an older release; new ones are 0700/0600): chmod 700 ${dataDir} && chmod 600 ${db}*`);
      assert.equal((await stat(dataDir)).mode & 0o777, 0o755, 'left as it was');
      assert.equal((await stat(db)).mode & 0o777, 0o644);
      assert.equal(await gateway.stop(), 0);

      // Once fixed, nothing is said.
      await chmod(dataDir, 0o700);
      await chmod(db, 0o600);
      const fixed = await serve(dataDir);
      t.after(() => fixed.stop());
      assert.ok(!fixed.lines.some((l) => l.includes('readable by other users')), fixed.lines.join('\n'));
      assert.equal(await fixed.stop(), 0);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  test('one serving process per SQLite data dir: a second gateway or SMSC is refused with one line, the CLI still works beside it, and kill -9 frees it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    const env = { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_DATABASE_URL: '', PORT: '0' };
    try {
      const first = await serve(dataDir);
      for (const args of [['serve'], ['smsc', '--port', '0']]) {
        const second = await runCli(args, env);
        assert.equal(second.status, 2, `${args[0]}: ${second.stderr}`);
        assert.deepEqual(second.stderr.trim().split('\n'), [
          `switchboard: invalid configuration: SWITCHBOARD_DATA_DIR: ${dataDir} is in use by another gateway or simulator SMSC; give each process its own data dir, or share a PostgreSQL database (SWITCHBOARD_DATABASE_URL) to run several instances`,
        ]);
      }
      const apps = await runCli(['app', 'list'], env);
      assert.equal(apps.status, 0, apps.stderr);
      assert.deepEqual(apps.json(), { apps: [] });
      assert.equal((await fetch(`${first.url}/healthz`)).status, 200, 'the first gateway is untouched');

      await first.crash();
      const after = await serve(dataDir);
      assert.equal((await fetch(`${after.url}/healthz`)).status, 200);
      assert.equal(await after.stop(), 0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a graceful stop ends with a `stopped` line, then exit 0; the simulator SMSC logs binds accepted, refused (never the password) and closed, and its own stop', async (t) => {
    // From the operator trial: neither said that a stop had finished, and a refused bind showed only on the gateway's side.
    const parent = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    t.after(() => rm(parent, { recursive: true, force: true }));
    const carrier = await smsc(join(parent, 'smsc'), { SWITCHBOARD_SIM_SMPP_PASSWORD: 'right-pw' });
    t.after(() => carrier.stop());
    const smppGateway = async (password: string, dir: string) => {
      const gateway = await serve(join(parent, dir), { SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: `smpp://sb-${dir}:${password}@127.0.0.1:${carrier.smppPort}` });
      t.after(() => gateway.stop());
      return gateway;
    };
    const waitFor = async (what: (line: Record<string, unknown>) => boolean, description: string) => {
      const deadline = Date.now() + 10_000;
      while (!logged(carrier.lines).some(what)) {
        assert.ok(Date.now() < deadline, `no ${description} in:\n${carrier.lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const refused = await smppGateway('wrong-pw', 'g1');
    await waitFor((l) => l.systemId === 'sb-g1' && l.level === 40, 'refusal');
    assert.equal(await refused.stop(), 0);
    const accepted = await smppGateway('right-pw', 'g2');
    await waitFor((l) => l.systemId === 'sb-g2' && l.msg === 'simulator SMSC: bind accepted', 'accepted bind');
    assert.equal(await accepted.stop(), 0);
    await waitFor((l) => l.systemId === 'sb-g2' && l.msg === 'simulator SMSC: bind closed', 'closed bind');
    assert.equal(await carrier.stop(), 0);

    const refusal = logged(carrier.lines).filter((l) => l.systemId === 'sb-g1');
    assert.deepEqual(
      refusal.map((l) => [l.level, l.msg, l.bindType]),
      refusal.map(() => [40, 'simulator SMSC: bind refused: the password is not SWITCHBOARD_SIM_SMPP_PASSWORD (ESME_RINVPASWD)', 'transceiver']),
    );
    assert.ok(refusal.length >= 1 && refusal.every((l) => typeof l.peer === 'string'));
    for (const lines of [carrier.lines, refused.lines, accepted.lines]) assert.ok(!lines.join('\n').includes('-pw'), 'no password logged');
    // Each process's last line says that its stop finished, and how long it took.
    for (const lines of [refused.lines, accepted.lines, carrier.lines]) {
      const last = JSON.parse(lines.at(-1) ?? '{}');
      assert.equal(last.msg, 'stopped', lines.join('\n'));
      assert.equal(last.level, 30);
      assert.ok(Number.isInteger(last.durationMs) && last.durationMs >= 0, lines.at(-1));
    }
    const stopped = JSON.parse(accepted.lines.at(-1) ?? '{}');
    assert.deepEqual([stopped.attemptsRescheduled, stopped.jobsQueued], [0, 0]);
    assert.deepEqual(logged(carrier.lines).slice(-3).map((l) => l.msg), ['stopping', 'simulator SMSC stopped', 'stopped']);
  });

  test('smsc --port in use stops with one line naming the option', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
    const taken = createServer();
    try {
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as AddressInfo).port;
      const res = await runCli(['smsc', '--port', String(port)], { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_DATABASE_URL: '', PORT: '0' });
      assert.equal(res.status, 2, res.stderr);
      assert.deepEqual(res.stderr.trim().split('\n'), [`switchboard: --port: 127.0.0.1:${port} is in use by another process (EADDRINUSE)`]);
    } finally {
      taken.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
