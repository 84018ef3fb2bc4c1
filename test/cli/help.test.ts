import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run.js';

describe('help', () => {
  test('switchboard --help lists every command; no command at all is a usage error', async () => {
    const res = await runCli(['--help']);
    assert.equal(res.status, 0);
    for (const name of ['serve', 'migrate', 'app create', 'app list', 'app show', 'app rotate-secret', 'app suspend', 'app unsuspend', 'short-code add', 'short-code list', 'short-code remove', 'admin-token']) {
      assert.ok(res.stdout.includes(`  ${name} `), name);
    }
    const none = await runCli([]);
    assert.equal(none.status, 2);
  });

  test('--help on every command and group answers its usage and exit 0', async () => {
    const commands = [
      ['serve'], ['migrate'], ['admin-token'], ['app'], ['short-code'],
      ['app', 'create'], ['app', 'list'], ['app', 'show'], ['app', 'update'], ['app', 'rotate-secret'], ['app', 'suspend'],
      ['app', 'unsuspend'], ['app', 'delete'], ['short-code', 'add'], ['short-code', 'list'], ['short-code', 'remove'],
    ];
    const results = await Promise.all(commands.map((c) => runCli([...c, '--help'])));
    results.forEach((res, i) => {
      assert.equal(res.status, 0, commands[i]?.join(' '));
      assert.match(res.stdout, new RegExp(`^Usage: switchboard ${commands[i]?.join(' ')}`));
    });
  });
});
