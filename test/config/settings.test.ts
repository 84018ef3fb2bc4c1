import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { SETTINGS } from '../../src/settings.js';
import { ADMIN_TOKEN } from '../helpers/gateway.js';
import { nodeEntry, repoFile, ROOT } from '../helpers/root.js';
import { runCli } from '../cli/run.js';

/** The operator trial's environment file: two misspelt names, which left a "production" gateway on the simulator and SQLite. */
const TYPOS = { SWITCHBOARD_NETWROK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://a:b@127.0.0.1:1', SWITCHBOARD_DATABSE_URL: 'postgres://x@127.0.0.1/y' };

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  assert.fail(`${JSON.stringify(env)} was taken`);
}

test('a SWITCHBOARD_* name that is no setting is refused, with the setting it most likely meant', () => {
  // Every one of them, by name, a line each: the operator mends them in one go.
  assert.equal(
    refusal(TYPOS),
    'SWITCHBOARD_DATABSE_URL: not a setting (did you mean SWITCHBOARD_DATABASE_URL?)\nSWITCHBOARD_NETWROK: not a setting (did you mean SWITCHBOARD_NETWORK?)',
  );
  assert.equal(refusal({ SWITCHBOARD_NETWROK: 'smpp' }), 'SWITCHBOARD_NETWROK: not a setting (did you mean SWITCHBOARD_NETWORK?)');
  assert.equal(refusal({ SWITCHBOARD_SMPP_TLS_CERTS: '/etc/x.pem' }), 'SWITCHBOARD_SMPP_TLS_CERTS: not a setting (did you mean SWITCHBOARD_SMPP_TLS_CERT?)');
  assert.equal(refusal({ SWITCHBOARD_TOKEN_TTL: '60' }), 'SWITCHBOARD_TOKEN_TTL: not a setting (did you mean SWITCHBOARD_TOKEN_TTL_S?)');
  assert.equal(refusal({ SWITCHBOARD_COLOUR: 'blue' }), 'SWITCHBOARD_COLOUR: not a setting (README "Configuration" lists them)');
  // Without our prefix, PORT, HOST and LOG_LEVEL are found all the same.
  assert.equal(refusal({ SWITCHBOARD_PORT: '8443' }), 'SWITCHBOARD_PORT: not a setting (did you mean PORT?)');
  // The test runner's own names (in any case: they are its business), an empty (unset) one and anyone else's are left alone.
  const ignored = { SWITCHBOARD_TEST_STORE: 'postgres', switchboard_test_store: 'sqlite', SWITCHBOARD_NETWROK: '', switchboard_network: '', PATH: '/bin', SWITCHBOARDX: '1', switchboardx: '1' };
  assert.equal(loadConfig(ignored).network, 'simulator');
});

test('a setting in lower or mixed case is refused, naming the upper-case setting it was meant as', () => {
  // Linux's variable names are case-sensitive: these were ignored without a word (found in an operator trial).
  assert.equal(refusal({ switchboard_network: 'smpp' }), 'switchboard_network: not a setting, names are upper case (did you mean SWITCHBOARD_NETWORK?)');
  assert.equal(refusal({ Switchboard_Port: '8443' }), 'Switchboard_Port: not a setting, names are upper case (did you mean PORT?)');
  assert.equal(refusal({ Switchboard_Netwrok: 'smpp' }), 'Switchboard_Netwrok: not a setting, names are upper case (did you mean SWITCHBOARD_NETWORK?)');
  assert.equal(refusal({ switchboard_colour: 'blue' }), 'switchboard_colour: not a setting, names are upper case (README "Configuration" lists them)');
  // Beside the upper-case setting itself, which is taken: the other one is still refused.
  assert.equal(
    refusal({ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://a:b@127.0.0.1:1', switchboard_smpp_tps: '50', SWITCHBOARD_TOKEN_TTL: '60' }),
    'SWITCHBOARD_TOKEN_TTL: not a setting (did you mean SWITCHBOARD_TOKEN_TTL_S?)\nswitchboard_smpp_tps: not a setting, names are upper case (did you mean SWITCHBOARD_SMPP_TPS?)',
  );
});

test('the list of settings holds every SWITCHBOARD_* name read anywhere in src/, and no other', async () => {
  const names = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      // Not the list itself; a name ending in _ is a family (`SWITCHBOARD_SIM_SMPP_*` in help
      // text), and SWITCHBOARD_TEST_* the test runner's (named in comments), not settings.
      else if (entry.name.endsWith('.ts') && path !== repoFile('src/settings.ts')) {
        for (const [name] of (await readFile(path, 'utf8')).matchAll(/SWITCHBOARD_[A-Z0-9_]*[A-Z0-9]\b/g)) if (!name.startsWith('SWITCHBOARD_TEST_')) names.add(name);
      }
    }
  };
  await walk(repoFile('src'));
  const listed: readonly string[] = SETTINGS;
  assert.deepEqual([...names].filter((n) => !listed.includes(n)), [], 'named in src/ but not a setting');
  assert.deepEqual(listed.filter((n) => n.startsWith('SWITCHBOARD_') && !names.has(n)), [], 'a setting named nowhere else in src/');
  // README's configuration documents each of them.
  const readme = await readFile(repoFile('README.md'), 'utf8');
  assert.deepEqual(listed.filter((n) => !readme.includes(n)), [], 'a setting README does not name');
});

test('the gateway, a store command, a gateway command and the simulator SMSC refuse misspelt names: a line each, exit 2', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-settings-'));
  try {
    const env = { SWITCHBOARD_DATA_DIR: dataDir, PORT: '0', SWITCHBOARD_NETWROK: 'smpp', switchboard_smpp_url: 'smpp://a:b@127.0.0.1:1' };
    const line =
      'switchboard: invalid configuration: SWITCHBOARD_NETWROK: not a setting (did you mean SWITCHBOARD_NETWORK?)\n' +
      'switchboard: invalid configuration: switchboard_smpp_url: not a setting, names are upper case (did you mean SWITCHBOARD_SMPP_URL?)\n';
    const gateway = spawnSync(process.execPath, nodeEntry('src/main.ts'), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(gateway.status, 2, gateway.stderr);
    assert.equal(gateway.stderr, line);
    assert.equal(gateway.stdout, '', 'nothing started');
    for (const args of [['app', 'list'], ['migrate'], ['sms', 'send', '--app', 'k', '--secret', 's', '--to', 'tel:+15550100', '--text', 'hi'], ['smsc', '--port', '0'], ['serve']]) {
      const res = await runCli(args, env);
      assert.equal(res.status, 2, `${args.join(' ')}: ${res.stdout}${res.stderr}`);
      assert.equal(res.stderr, line, args.join(' '));
    }
    // Help needs no settings.
    assert.equal((await runCli(['app', 'list', '--help'], env)).status, 0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('SWITCHBOARD_SMPP_* settings on the simulated network: the gateway starts (a deliberate switch) and warns once that they are ignored', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-settings-'));
  const lines: Array<{ level: number; msg: string; settings?: string[] }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter((l) => l !== '')) lines.push(JSON.parse(line));
      done();
    },
  });
  const base = { HOST: '127.0.0.1', PORT: '0', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL' };
  try {
    const gateway = await startGateway(loadConfig({ ...base, SWITCHBOARD_NETWORK: 'simulator', SWITCHBOARD_SMPP_URL: 'smpp://gw:pw@127.0.0.1:2775', SWITCHBOARD_SMPP_BINDS: '2' }), {
      logger: createLogger('info', sink),
    });
    await gateway.close();
    const warned = lines.filter((l) => l.level === 40 && l.msg.includes('SMPP settings are ignored'));
    assert.equal(warned.length, 1, JSON.stringify(lines));
    assert.deepEqual(warned[0]?.settings, ['SWITCHBOARD_SMPP_BINDS', 'SWITCHBOARD_SMPP_URL']);
    assert.equal(warned[0]?.msg, 'SWITCHBOARD_NETWORK is simulator: these SMPP settings are ignored and no message goes to an SMSC');
    // Without them, no such line.
    assert.deepEqual(loadConfig(base).ignoredSmppSettings, []);
    assert.deepEqual(loadConfig({ ...base, SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: 'smpp://gw:pw@127.0.0.1:2775' }).ignoredSmppSettings, []);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
