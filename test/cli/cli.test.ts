import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, getToken } from '../helpers/apps.js';
import { runCli, runCliIntoClosedPipe, type CliResult } from './run.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

/** The CLI on the test gateway's own store (its data dir, or its PostgreSQL database). */
const local = (...args: string[]) => runCli(args, { ...gw.env });
/** The CLI against the running gateway's admin API. */
const remote = (...args: string[]) => runCli([...args, '--url', gw.url, '--admin-token', ADMIN_TOKEN], { SWITCHBOARD_ADMIN_TOKEN: '' });

function assertFailed(res: CliResult, status: number, pattern: RegExp) {
  assert.equal(res.status, status, `${res.stdout}${res.stderr}`);
  assert.equal(res.stdout, '');
  assert.equal(res.stderr.trimEnd().split('\n').length, 1, `one line: ${res.stderr}`);
  assert.match(res.stderr, /^switchboard: /);
  assert.match(res.stderr, pattern);
}

// The tests of each group share one gateway and touch only their own apps and short codes: they
// run side by side, as do a test's independent CLI calls (each one a process start of its own).
describe('on the store', { concurrency: true }, () => {
  test('app create → short-code add → token: the app works at once on the running gateway', async () => {
    const created = await local('app', 'create', '--name', 'cli-demo', '--scopes', 'SMS,MMS', '--rate-per-second', '3');
    assert.equal(created.status, 0, created.stderr);
    const app = created.json();
    assert.equal(app.name, 'cli-demo');
    assert.deepEqual(app.scopes, ['SMS', 'MMS']);
    assert.equal(app.ratePerSecond, 3);
    assert.match(app.appSecret, /^[0-9a-f]{24}$/);
    const code = await local('short-code', 'add', app.id, '22627100');
    assert.equal(code.status, 0, code.stderr);
    assert.deepEqual({ ...code.json(), createdAt: undefined }, { shortCode: '22627100', appId: app.id, moDelivery: 'poll', listenerUrl: null, createdAt: undefined });
    const tokens = await getToken(gw, app.appKey, app.appSecret, 'SMS');
    assert.equal(typeof tokens.access_token, 'string');
    const shown = await gw.request('GET', `/admin/v1/apps/${app.id}`, { headers: ADMIN_AUTH });
    assert.deepEqual(shown.json().shortCodes.map((s: any) => s.shortCode), ['22627100']);
  });

  test('a suspension or a new secret made on the store applies to the running gateway’s next request', async () => {
    const app = (await local('app', 'create', '--name', 'held', '--scopes', 'SMS')).json();
    assert.equal((await local('short-code', 'add', app.id, '22627110')).status, 0);
    const auth = { authorization: `Bearer ${(await getToken(gw, app.appKey, app.appSecret, 'SMS')).access_token}` };
    const inbox = () => gw.request('GET', '/sms/v3/messaging/inbox/22627110', { headers: auth });
    assert.equal((await inbox()).status, 200);
    assert.equal((await local('app', 'suspend', app.id)).status, 0);
    assert.equal((await inbox()).json().RequestError.PolicyException.MessageId, 'POL1010');
    assert.equal((await local('app', 'unsuspend', app.id)).status, 0);
    assert.equal((await inbox()).status, 200);
    assert.equal((await local('app', 'rotate-secret', app.id)).status, 0);
    assert.equal((await inbox()).status, 401, 'a new secret revokes the tokens issued with the old one');
  });

  test('list, show, update, suspend, unsuspend, rotate-secret, short-code list/remove, delete', async () => {
    const app = (await local('app', 'create', '--name', 'cycle', '--realm', 'production')).json();
    const [list, show] = await Promise.all([local('app', 'list'), local('app', 'show', app.id)]);
    assert.ok(list.json().apps.some((a: any) => a.id === app.id && a.appSecret === undefined));
    assert.equal(show.json().realm, 'production');
    const updated = await local('app', 'update', app.id, '--name', 'renamed', '--delivery-status-url', 'https://example.test/dr', '--rate-per-day', '100');
    assert.equal(updated.status, 0, updated.stderr);
    assert.equal(updated.json().name, 'renamed');
    assert.equal(updated.json().deliveryStatusUrl, 'https://example.test/dr');
    assert.equal(updated.json().ratePerDay, 100);
    assert.equal((await local('app', 'update', app.id, '--rate-per-day', 'none')).json().ratePerDay, null);
    assert.equal((await local('app', 'suspend', app.id)).json().suspended, true);
    assert.equal((await local('app', 'unsuspend', app.id)).json().suspended, false);
    const rotated = await local('app', 'rotate-secret', app.id);
    assert.notEqual(rotated.json().appSecret, app.appSecret);
    assert.equal((await getToken(gw, app.appKey, rotated.json().appSecret)).token_type, 'bearer');
    const cb = await local('short-code', 'add', app.id, '22627101', '--listener-url', 'https://example.test/mo');
    assert.equal(cb.json().moDelivery, 'callback');
    assert.deepEqual((await local('short-code', 'list', app.id)).json().shortCodes.map((s: any) => s.shortCode), ['22627101']);
    assert.deepEqual((await local('short-code', 'remove', app.id, '22627101')).json(), { removed: '22627101', appId: app.id });
    assert.deepEqual((await local('short-code', 'list', app.id)).json().shortCodes, []);
    assert.deepEqual((await local('app', 'delete', app.id)).json(), { deleted: app.id });
    assertFailed(await local('app', 'show', app.id), 1, /no app with id/);
  });

  test('operator errors: one line on stderr, exit 1', async () => {
    const app = (await local('app', 'create', '--name', 'errs', '--realm', 'production')).json();
    assert.equal((await local('short-code', 'add', app.id, '22627102')).status, 0);
    const [taken, noCode, noApp] = await Promise.all([
      local('short-code', 'add', app.id, '22627102'),
      local('short-code', 'remove', app.id, '99999'),
      local('app', 'suspend', 'no-such-app'),
    ]);
    assertFailed(taken, 1, /already belongs to an app/);
    assertFailed(noCode, 1, /no short code/);
    assertFailed(noApp, 1, /no app with id no-such-app/);
  });

  const PLATFORM = "(the AT&T API platform's scopes are SMS, MMS, IMMN, MIM, SPEECH, STTC, TTS, ADS, PAYMENT, WAP, DC, TL, MOBO, CCS, CMS; this gateway serves SMS)";

  test('a value the admin layer refuses: exit 2, one line naming the option, on the store and through --url alike (it was exit 1, naming the admin API field)', async () => {
    const app = (await local('app', 'create', '--name', 'bad-values', '--realm', 'production')).json();
    // [arguments, the line on the store, the line through --url (the admin API checks some first)]
    const cases: Array<[string[], string, string?]> = [
      [['app', 'create', '--name', 'x', '--realm', 'staging'], '--realm must be sandbox or production', '--realm must be one of sandbox, production'],
      [['app', 'create', '--name', ' '], '--name must be 1 to 100 characters'],
      [['app', 'create', '--name', 'x', '--scopes', 'S!'], `--scopes holds an unknown scope: S! ${PLATFORM}`],
      // The operator trial's typo: an app that got tokens and could never send.
      [['app', 'create', '--name', 'x', '--scopes', 'SMS,SMSS'], `--scopes holds an unknown scope: SMSS ${PLATFORM}`],
      [['app', 'update', app.id, '--scopes', 'SPEACH,MMMS'], `--scopes holds unknown scopes: SPEACH, MMMS ${PLATFORM}`],
      [['app', 'update', app.id, '--delivery-status-url', 'not a url'], '--delivery-status-url is not a URL: not a url', '--delivery-status-url: the listener URL is not an absolute URL'],
      [['short-code', 'add', app.id, '12'], 'CODE must be 3 to 8 digits'],
      [['short-code', 'add', app.id, '22627103', '--listener-url', 'http://example.test/mo'], '--listener-url must be https in the production realm', '--listener-url: production apps need an https listener URL'],
      [['short-code', 'add', app.id, '22627104', '--mo-delivery', 'callback'], '--mo-delivery callback requires a --listener-url'],
      [['app', 'create', '--name', 'x', '--rate-per-day', '0'], '--rate-per-day expects a whole number of at least 1 or "none", got "0"'],
    ];
    const runs = cases.flatMap(([args, onStore, viaUrl]) => [
      { what: `${args.join(' ')} (store)`, line: onStore, run: local(...args) },
      { what: `${args.join(' ')} (--url)`, line: viaUrl ?? onStore, run: remote(...args) },
    ]);
    runs.push({ what: 'a global option no command has', line: 'unknown option "--colour"; try switchboard --help', run: runCli(['--colour']) });
    for (const { what, line, run } of runs) {
      const res = await run;
      assert.deepEqual([res.status, res.stderr, res.stdout], [2, `switchboard: ${line}\n`, ''], what);
    }
    assert.deepEqual((await local('short-code', 'list', app.id)).json().shortCodes, [], 'nothing was added');
    assert.deepEqual((await local('app', 'show', app.id)).json().scopes, ['SMS'], 'nothing was changed');
  });

  test('usage errors and bad configuration: one line on stderr, exit 2', async () => {
    const cases: Array<[Promise<CliResult>, RegExp]> = [
      [local('nonsense'), /unknown command "nonsense"/],
      [local('app', 'frobnicate'), /unknown command "app frobnicate"/],
      [local('app'), /app needs a subcommand/],
      [local('app', 'create'), /--name/],
      [local('app', 'create', '--name', 'x', '--colour', 'red'), /Unknown option '--colour'/],
      [local('app', 'show'), /needs APP_ID/],
      [local('app', 'show', 'a', 'b'), /unexpected argument "b"/],
      [local('app', 'update', 'a'), /at least one option/],
      [local('app', 'update', 'a', '--rate-per-second', 'fast'), /whole number/],
      [local('app', 'create', '--name', 'x', '--rate-per-second', '-3'), /--rate-per-second expects a whole number of at least 1 or "none", got "-3"/],
      [local('admin-token', '--url', gw.url), /store only/],
      [runCli(['app', 'list'], { ...gw.env, PORT: 'abc' }), /invalid configuration: PORT/],
      [runCli(['migrate'], { ...gw.env, SWITCHBOARD_NETWORK: 'carrier-pigeon' }), /SWITCHBOARD_NETWORK/],
    ];
    await Promise.all(cases.map(async ([run, pattern]) => assertFailed(await run, 2, pattern)));
  });

  test('a closed stdout (`app create | head -c0`): the app is made, one line on stderr says its output was lost, exit 3', async () => {
    // It said `Error: write EPIPE` with a stack trace, and exit 1 as if nothing was done.
    const res = await runCliIntoClosedPipe(['app', 'create', '--name', 'cli-piped'], { ...gw.env });
    assert.equal(res.status, 3, res.stderr);
    assert.equal(res.stderr, 'switchboard: done, but its output could not be written (write EPIPE); whatever it shows only once (a secret, a token) is lost\n');
    const listed = await local('app', 'list');
    assert.equal(listed.json().apps.filter((a: { name: string }) => a.name === 'cli-piped').length, 1);
  });

  test('migrate is idempotent, and says which migrations it applied', async () => {
    const res = await local('migrate');
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.json().migrated, true);
    assert.deepEqual(res.json().applied, [], 'the gateway migrated the store at its start');
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-migrate-'));
    try {
      const fresh = { ...gw.env, SWITCHBOARD_DATABASE_URL: '', SWITCHBOARD_DATA_DIR: dir };
      const first = await runCli(['migrate'], fresh);
      assert.equal(first.status, 0, first.stderr);
      const applied = first.json().applied as string[];
      assert.equal(applied[0], '0001-foundation');
      assert.deepEqual(applied, [...applied].sort(), 'oldest first');
      assert.deepEqual((await runCli(['migrate'], fresh)).json().applied, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('against a running gateway (--url)', { concurrency: true }, () => {
  test('app create, short-code add, app show, list — the same JSON as the admin API', async () => {
    const created = await remote('app', 'create', '--name', 'remote-demo');
    assert.equal(created.status, 0, created.stderr);
    const app = created.json();
    assert.match(app.appSecret, /^[0-9a-f]{24}$/);
    assert.equal((await remote('short-code', 'add', app.id, '22627200', '--mo-delivery', 'poll')).status, 0);
    const shown = await remote('app', 'show', app.id);
    assert.deepEqual(shown.json().shortCodes.map((s: any) => s.shortCode), ['22627200']);
    assert.ok((await remote('app', 'list')).json().apps.some((a: any) => a.id === app.id));
    assert.equal((await remote('app', 'suspend', app.id)).json().suspended, true);
    assertFailed(await remote('short-code', 'add', app.id, '22627200'), 1, /already belongs/);
    assertFailed(await remote('app', 'show', 'nope'), 1, /no app with id nope/);
  });

  test('global options may precede the command; the token may come from SWITCHBOARD_ADMIN_TOKEN', async () => {
    const res = await runCli(['--url', gw.url, 'app', 'list'], { SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN });
    assert.equal(res.status, 0, res.stderr);
    assert.ok(Array.isArray(res.json().apps));
  });

  test('a wrong admin token, no token, or an unreachable gateway: one line, non-zero exit', async () => {
    const [wrong, none, down] = await Promise.all([
      runCli(['app', 'list', '--url', gw.url, '--admin-token', 'wrong']),
      runCli(['app', 'list', '--url', gw.url], { SWITCHBOARD_ADMIN_TOKEN: '' }),
      runCli(['app', 'list', '--url', 'http://127.0.0.1:9', '--admin-token', 'x']),
    ]);
    assertFailed(wrong, 1, /admin token/);
    assertFailed(none, 2, /--admin-token/);
    assertFailed(down, 1, /cannot reach/);
  });

  test('a --url (or SWITCHBOARD_URL) with user:password@ is a usage error that does not echo the password', async () => {
    // It was `cannot reach …: TypeError: Request cannot be constructed from a URL that includes credentials: http://ops:hunter2-secret@…`.
    const [admin, gateway, fromEnv, notUrl] = await Promise.all([
      runCli(['app', 'list', '--url', 'http://ops:hunter2-secret@127.0.0.1:9', '--admin-token', 'x']),
      runCli(['handset', 'show', '+14255550100', '--url', 'http://ops:hunter2-secret@127.0.0.1:9']),
      runCli(['handset', 'show', '+14255550100'], { SWITCHBOARD_URL: 'http://ops:hunter2-secret@127.0.0.1:9' }),
      runCli(['app', 'list', '--url', 'hunter2-secret', '--admin-token', 'x']),
    ]);
    for (const res of [admin, gateway, fromEnv, notUrl]) assert.doesNotMatch(res.stderr, /hunter2/, res.stderr);
    assertFailed(admin, 2, /^switchboard: --url must not carry a user name or password/);
    assertFailed(gateway, 2, /^switchboard: --url must not carry a user name or password/);
    assertFailed(fromEnv, 2, /^switchboard: SWITCHBOARD_URL must not carry a user name or password/);
    assertFailed(notUrl, 2, /^switchboard: --url is not a URL/);
  });
});
