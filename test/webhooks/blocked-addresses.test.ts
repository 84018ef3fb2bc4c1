import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.js';
import { LINK_LOCAL_RANGES, PRIVATE_RANGES, blockedAddresses, parseBlockedAddresses } from '../../src/webhooks/blocked-addresses.js';
import { checkListenerUrl, selfEndpoints } from '../../src/webhooks/listener-url.js';

function ranges(text: string): readonly string[] {
  const verdict = parseBlockedAddresses(text);
  assert.ok(verdict.ok, text);
  return verdict.ranges;
}

test('keywords expand; IPs become one-address ranges; duplicates go', () => {
  assert.deepEqual(ranges('link-local'), LINK_LOCAL_RANGES);
  assert.deepEqual(ranges('private'), PRIVATE_RANGES);
  assert.deepEqual(ranges('none'), []);
  assert.deepEqual(ranges(' 203.0.113.7 , 2001:DB8::/32,link-local, 169.254.0.0/16 '), ['203.0.113.7/32', '2001:db8::/32', ...LINK_LOCAL_RANGES]);
  assert.deepEqual(ranges('::1'), ['::1/128']);
  assert.deepEqual(ranges('PRIVATE'), PRIVATE_RANGES);
});

test('anything else in the list is refused with the entry named', () => {
  for (const [text, reason] of [
    ['localhost', /"localhost"/],
    ['10.0.0.0/33', /"10.0.0.0\/33"/],
    ['::/129', /"::\/129"/],
    ['10.0.0.0/8/8', /"10.0.0.0\/8\/8"/],
    ['10.0.0.0/', /"10.0.0.0\/"/],
    ['10.0.0.0/x', /"10.0.0.0\/x"/],
    ['010.0.0.1', /"010.0.0.1"/],
    ['fe80::1%eth0', /"fe80::1%eth0"/],
    ['10.0.0.1,', /empty entry/],
    ['none,10.0.0.1', /"none" cannot be combined/],
  ] as const) {
    const verdict = parseBlockedAddresses(text);
    assert.equal(verdict.ok, false, text);
    assert.match((verdict as { reason: string }).reason, reason, text);
  }
});

test('the setting: link-local by default, and a bad entry stops the start with one line naming it', () => {
  assert.deepEqual(loadConfig({}).webhookBlockedAddresses, LINK_LOCAL_RANGES);
  assert.deepEqual(loadConfig({ SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES: 'none' }).webhookBlockedAddresses, []);
  assert.throws(
    () => loadConfig({ SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES: 'private,intranet' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.variable === 'SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES' &&
      err.message === 'SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES: expected CIDR ranges, IPs, private, link-local or none, got "intranet"',
  );
});

test('private blocks every special-purpose address and lets public ones through', () => {
  const blocked = blockedAddresses(PRIVATE_RANGES);
  for (const host of [
    '0.0.0.0',
    '10.1.2.3',
    '100.100.100.200',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.31.255.255',
    '192.0.0.170',
    '192.168.1.1',
    '198.19.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    'fd00:ec2::254',
    'fec0::1',
    'fe80::1',
    'ff02::1',
    '64:ff9b:1::a00:1',
  ]) {
    assert.equal(blocked(host), true, host);
  }
  for (const host of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.0.1.1', '2606:4700:4700::1111', '[2001:4860:4860::8888]', '64:ff9b::808:808']) {
    assert.equal(blocked(host), false, host);
  }
});

test('an IPv4-mapped IPv6 address is blocked like the IPv4 address, however it is spelled', () => {
  const blocked = blockedAddresses(LINK_LOCAL_RANGES);
  for (const host of ['169.254.169.254', '::ffff:169.254.169.254', '[::ffff:a9fe:a9fe]', '0:0:0:0:0:ffff:169.254.169.254', '::FFFF:A9FE:A9FE']) {
    assert.equal(blocked(host), true, host);
  }
  assert.equal(blocked('::ffff:10.0.0.1'), false);
  // A range written in the mapped form covers the plain IPv4 addresses too.
  const mappedRange = blockedAddresses(ranges('::ffff:10.0.0.0/104'));
  assert.equal(mappedRange('10.9.8.7'), true);
  assert.equal(mappedRange('11.0.0.1'), false);
});

test('a NAT64 address (64:ff9b::/96) is judged by the IPv4 address it reaches, so public ones stay usable', () => {
  const blocked = blockedAddresses(PRIVATE_RANGES);
  for (const host of ['64:ff9b::7f00:1', '[64:ff9b::10.0.0.5]', '64:ff9b:0:0:0:0:a9fe:a9fe', '64:FF9B::C0A8:101']) assert.equal(blocked(host), true, host);
  for (const host of ['64:ff9b::808:808', '64:ff9b::203.0.113.9']) assert.equal(blocked(host), false, host);
  assert.equal(blocked('64:ff9b::1:7f00:1'), false, 'outside the /96: an ordinary address');
});

test('names are not blocked here (they are checked once resolved), and none blocks nothing', () => {
  assert.equal(blockedAddresses(PRIVATE_RANGES)('localhost'), false);
  assert.equal(blockedAddresses(PRIVATE_RANGES)('metadata.google.internal'), false);
  assert.equal(blockedAddresses([])('169.254.169.254'), false);
});

test('a listener URL whose host is a blocked address is refused at registration', () => {
  const self = selfEndpoints(loadConfig({ HOST: '127.0.0.1', PORT: '8080' }), 8080);
  const blocked = blockedAddresses(PRIVATE_RANGES);
  for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://10.0.0.5:9000/hook', 'http://127.0.0.1:9000/', 'http://[fe80::1]/', 'http://0x7f.1:9000/']) {
    const verdict = checkListenerUrl(url, 'sandbox', self, blocked);
    assert.equal(verdict.ok, false, url);
    assert.match((verdict as { reason: string }).reason, /^the listener URL's host is a blocked address /, url);
  }
  assert.deepEqual(checkListenerUrl('http://169.254.169.254/', 'sandbox', self, blocked), { ok: false, reason: "the listener URL's host is a blocked address 169.254.169.254" });
  assert.equal(checkListenerUrl('http://localhost:9000/', 'sandbox', self, blocked).ok, true, 'names are not resolved at registration');
  assert.equal(checkListenerUrl('http://8.8.8.8/', 'sandbox', self, blocked).ok, true);
  assert.equal(checkListenerUrl('http://127.0.0.1:9000/', 'sandbox', self, blockedAddresses(LINK_LOCAL_RANGES)).ok, true, 'the default keeps local listeners');
});
