import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkListenerUrl as check, peerEndpoints, pointsAtSelf, selfEndpoints } from '../../src/webhooks/listener-url.js';
import { blockedAddresses } from '../../src/webhooks/blocked-addresses.js';
import { loadConfig } from '../../src/config.js';

const self = selfEndpoints(loadConfig({ HOST: '127.0.0.1', PORT: '8080', SWITCHBOARD_PUBLIC_URL: 'https://sms.example.com' }), 8080);
/** With nothing blocked: these tests are about the other rules (blocked addresses: blocked-addresses.test.ts). */
const checkListenerUrl = (raw: unknown, realm: string, endpoints: typeof self) => check(raw, realm, endpoints, blockedAddresses([]));

test('sandbox apps may use http; production apps need https', () => {
  assert.deepEqual(checkListenerUrl('http://app.example/mo', 'sandbox', self), { ok: true, url: 'http://app.example/mo' });
  assert.equal(checkListenerUrl('http://app.example/mo', 'production', self).ok, false);
  assert.equal(checkListenerUrl('https://app.example/mo', 'production', self).ok, true);
});

test('not URLs, other schemes, credentials and over-long URLs are refused', () => {
  for (const bad of ['', '   ', 'app.example/mo', 'ftp://app.example/x', 'javascript:alert(1)', 'https://user:pw@app.example/', `https://app.example/${'x'.repeat(2100)}`]) {
    assert.equal(checkListenerUrl(bad, 'sandbox', self).ok, false, bad);
  }
  assert.equal(checkListenerUrl(42, 'sandbox', self).ok, false);
  assert.equal(checkListenerUrl(undefined, 'sandbox', self).ok, false);
});

test("the gateway's own port is refused under every loopback spelling and its public URL", () => {
  for (const url of [
    'http://127.0.0.1:8080/hook',
    'http://localhost:8080/admin/v1/apps',
    'http://LOCALHOST.:8080/',
    'http://127.1.2.3:8080/',
    'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]:8080/',
    'http://[::ffff:7f00:1]:8080/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]:8080/',
    'http://[::ffff:0.0.0.0]:8080/',
    'http://0.0.0.0:8080/',
    'https://sms.example.com/sms/v3/messaging/inbox/1',
    'https://sms.example.com:443/',
  ]) {
    assert.equal(pointsAtSelf(new URL(url), self), true, url);
    assert.match((checkListenerUrl(url, 'sandbox', self) as { reason: string }).reason, /own port/, url);
  }
  for (const url of ['http://127.0.0.1:8081/', 'http://[::ffff:10.0.0.1]:8080/', 'http://localhost/', 'https://sms.example.com:8443/', 'https://other.example.com/']) {
    assert.equal(pointsAtSelf(new URL(url), self), false, url);
  }
});

test('a gateway bound to all interfaces also owns its interface addresses', () => {
  const any = selfEndpoints(loadConfig({ HOST: '0.0.0.0', PORT: '9000' }), 9000);
  assert.equal(pointsAtSelf(new URL('http://127.0.0.1:9000/'), any), true);
  assert.equal(pointsAtSelf(new URL('http://localhost:9000/'), any), true);
  assert.equal(pointsAtSelf(new URL('http://127.0.0.1:9001/'), any), false);
});

test('a gateway whose HOST is a name also owns the address the name was bound to', () => {
  const named = selfEndpoints(loadConfig({ HOST: 'gateway.internal', PORT: '8080' }), 8080, '127.0.0.1');
  assert.deepEqual(named.slice(0, 2), [{ host: 'gateway.internal', port: 8080 }, { host: '127.0.0.1', port: 8080 }]);
  for (const url of ['http://127.0.0.1:8080/x', 'http://localhost:8080/x', 'http://gateway.internal:8080/x']) assert.equal(checkListenerUrl(url, 'sandbox', named).ok, false, url);
});

test('the other instances on the database: their ports too; one bound to all interfaces or to loopback elsewhere is not known by address', () => {
  const peers = peerEndpoints([
    { url: 'http://127.0.0.1:8081', sameMachine: true },
    { url: 'http://0.0.0.0:8082', sameMachine: true },
    { url: 'http://10.0.0.6:8080', sameMachine: false },
    { url: 'http://0.0.0.0:9090', sameMachine: false },
    { url: 'http://127.0.0.1:9191', sameMachine: false },
  ]);
  assert.deepEqual(peers, [
    { host: '127.0.0.1', port: 8081 },
    { host: '0.0.0.0', port: 8082 },
    { host: '10.0.0.6', port: 8080 },
  ]);
  const endpoints = [...self, ...peers];
  for (const url of ['http://localhost:8081/x', 'http://127.0.0.1:8082/x', 'http://10.0.0.6:8080/x']) assert.equal(checkListenerUrl(url, 'sandbox', endpoints).ok, false, url);
  assert.equal(checkListenerUrl('http://10.0.0.7:9090/x', 'sandbox', endpoints).ok, true);
  assert.equal(checkListenerUrl('http://127.0.0.1:9191/mo', 'sandbox', endpoints).ok, true, "another machine's loopback is not here");
});
