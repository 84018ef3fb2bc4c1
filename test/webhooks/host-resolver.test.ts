import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostResolver, parseHosts, parseResolvConf, searchNames } from '../../src/webhooks/host-resolver.js';

test('parseHosts: names (lower case) with their addresses of both families, comments and malformed lines left out', () => {
  const names = parseHosts(['127.0.0.1 localhost', '::1\tlocalhost ip6-localhost  # the loopback', '# 10.0.0.1 commented', 'not-an-address foo', '10.1.2.3 App.Internal app', '', '10.1.2.4 app'].join('\n'));
  assert.deepEqual(names.get('localhost'), [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ]);
  assert.deepEqual(names.get('ip6-localhost'), [{ address: '::1', family: 6 }]);
  assert.deepEqual(names.get('app.internal'), [{ address: '10.1.2.3', family: 4 }]);
  assert.deepEqual(names.get('app'), [
    { address: '10.1.2.3', family: 4 },
    { address: '10.1.2.4', family: 4 },
  ]);
  assert.equal(names.get('foo'), undefined);
  assert.equal(names.get('10.0.0.1'), undefined);
});

test('parseResolvConf: the last search or domain line, and ndots', () => {
  assert.deepEqual(parseResolvConf('nameserver 10.0.0.1\n'), { search: [], ndots: 1 });
  assert.deepEqual(parseResolvConf('domain corp.example\nsearch default.svc.cluster.local svc.cluster.local. # k8s\noptions ndots:5 timeout:2\n'), {
    search: ['default.svc.cluster.local', 'svc.cluster.local'],
    ndots: 5,
  });
  assert.deepEqual(parseResolvConf('search a.example\ndomain B.Example\n'), { search: ['b.example'], ndots: 1 });
});

test('searchNames: as the system resolver orders them, by the dots a name has against ndots', () => {
  const search = ['ns.svc.cluster.local', 'svc.cluster.local'];
  assert.deepEqual(searchNames('listener', search, 1), ['listener.ns.svc.cluster.local', 'listener.svc.cluster.local', 'listener']);
  assert.deepEqual(searchNames('hooks.example.com', search, 1), ['hooks.example.com', 'hooks.example.com.ns.svc.cluster.local', 'hooks.example.com.svc.cluster.local']);
  assert.deepEqual(searchNames('hooks.example.com', search, 5), ['hooks.example.com.ns.svc.cluster.local', 'hooks.example.com.svc.cluster.local', 'hooks.example.com']);
  assert.deepEqual(searchNames('hooks.example.com.', search, 5), ['hooks.example.com'], 'a final dot: as it is only');
  assert.deepEqual(searchNames('listener', [], 1), ['listener']);
});

test('a name in the hosts file is answered from it, in any case and with a final dot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-hosts-'));
  try {
    const file = join(dir, 'hosts');
    writeFileSync(file, '127.0.0.1 localhost\n127.0.0.2 listener.example.test\n');
    const resolver = new HostResolver(1000, { hosts: file });
    assert.deepEqual(await resolver.resolve('Listener.Example.Test.'), [{ address: '127.0.0.2', family: 4 }]);
    assert.deepEqual(await resolver.resolve('localhost'), [{ address: '127.0.0.1', family: 4 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lookups of one name share one answer, a failure included (kept a few seconds)', async () => {
  // `.invalid` never resolves (RFC 6761), whether or not this machine reaches a DNS server.
  const resolver = new HostResolver(1000, { hosts: '/nonexistent/hosts' });
  const first = resolver.resolve('listener.invalid');
  assert.equal(resolver.resolve('LISTENER.invalid'), first, 'under way: shared');
  await assert.rejects(first);
  assert.equal(resolver.resolve('listener.invalid'), first, 'failed: kept');
});
