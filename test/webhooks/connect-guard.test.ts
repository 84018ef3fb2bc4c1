import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { blockedAddresses, LINK_LOCAL_RANGES, PRIVATE_RANGES } from '../../src/webhooks/blocked-addresses.js';
import { guardedLookup, refusal } from '../../src/webhooks/connect-guard.js';
import { HostResolver } from '../../src/webhooks/host-resolver.js';
import { WebhookSender, type SenderOptions } from '../../src/webhooks/sender.js';
import { ThreadedSender } from '../../src/webhooks/sender-thread.js';
import { startListener } from './listener.js';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];
const LOCALHOST_ADDRESS = /^(127\.0\.0\.1|::1)$/;

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function lookup(refuse: (address: string) => string | undefined, options: object): Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => guardedLookup(new HostResolver(2000), refuse)('localhost', options, (err, address, family) => resolve({ err, address, family })));
}

test('refusal: a blocked address, or the gateway itself on its port (any loopback address for a loopback-bound gateway)', () => {
  const blocked = blockedAddresses(LINK_LOCAL_RANGES);
  const self = [{ host: '127.0.0.1', port: 8080 }];
  assert.equal(refusal('169.254.169.254', 80, blocked, self), 'a blocked address 169.254.169.254');
  assert.equal(refusal('::ffff:a9fe:a9fe', 80, blocked, self), 'a blocked address 169.254.169.254');
  assert.equal(refusal('127.0.0.1', 8080, blocked, self), "the gateway's own address 127.0.0.1:8080");
  assert.equal(refusal('::1', 8080, blocked, self), "the gateway's own address ::1:8080");
  assert.equal(refusal('127.0.0.1', 8081, blocked, self), undefined);
  assert.equal(refusal('203.0.113.9', 8080, blocked, self), undefined);
});

test('the lookup refuses a name when any of its addresses is refused, and otherwise answers as dns.lookup would (localhost, from the hosts file)', async () => {
  const refused = await lookup((a) => (LOCALHOST_ADDRESS.test(a) ? `a blocked address ${a}` : undefined), { all: true });
  assert.equal(refused.err?.code, 'ERR_WEBHOOK_BLOCKED_ADDRESS');
  assert.match(refused.err?.message ?? '', /^listener host resolves to a blocked address (127\.0\.0\.1|::1)$/);

  const all = await lookup(() => undefined, { all: true });
  assert.equal(all.err, null);
  assert.ok(Array.isArray(all.address) && all.address.every((a) => LOCALHOST_ADDRESS.test(a.address)), JSON.stringify(all.address));
  const one = await lookup(() => undefined, { family: 4 });
  assert.deepEqual([one.err, one.address, one.family], [null, '127.0.0.1', 4]);
});

test('a POST to a name that resolves into a blocked range, or to a blocked IP, never reaches the listener', async () => {
  const listener = await startListener();
  const port = new URL(listener.origin).port;
  const sender = new WebhookSender({ timeoutMs: 2000, connectionsPerOrigin: 2, blockedAddresses: LOOPBACK, self: [] });
  try {
    const byName = await sender.post(`http://localhost:${port}/x`, {}, 'x');
    assert.equal(byName.ok, false);
    assert.equal((byName as { blocked?: true }).blocked, true);
    assert.match((byName as { error: string }).error, /^listener host resolves to a blocked address (127\.0\.0\.1|::1)$/);
    assert.deepEqual(await sender.post(`${listener.origin}/x`, {}, 'x'), { ok: false, error: 'listener host is a blocked address 127.0.0.1', blocked: true });
    assert.deepEqual(await sender.post(`http://[::ffff:127.0.0.1]:${port}/x`, {}, 'x'), { ok: false, error: 'listener host is a blocked address 127.0.0.1', blocked: true });
    assert.equal(listener.received.length, 0);
  } finally {
    await sender.close();
  }
  // The default (link-local) leaves local listeners alone.
  const open = new WebhookSender({ timeoutMs: 2000, connectionsPerOrigin: 2, blockedAddresses: LINK_LOCAL_RANGES, self: [] });
  try {
    assert.deepEqual(await open.post(`http://localhost:${port}/x`, {}, 'x'), { ok: true, status: 200 });
    assert.equal(listener.received.length, 1);
  } finally {
    await open.close();
    await listener.close();
  }
});

test("a name that resolves to the gateway's own address and port is refused at connect time, on the sender thread too", async () => {
  const listener = await startListener();
  const port = Number(new URL(listener.origin).port);
  // The listener stands in for the gateway: a loopback-bound gateway on that port.
  const options = (): SenderOptions => ({ timeoutMs: 2000, connectionsPerOrigin: 2, blockedAddresses: [], self: [{ host: '127.0.0.1', port }] });
  const sender = new ThreadedSender(options);
  try {
    const local = await sender.post(`http://localhost:${port}/admin/v1/apps`, {}, 'while the thread loads');
    assert.match((local as { error: string }).error, new RegExp(`^listener host resolves to the gateway's own address (127\\.0\\.0\\.1|::1):${port}$`));
    await until(() => sender.ready);
    const threaded = await sender.post(`http://localhost:${port}/admin/v1/apps`, {}, 'on the thread');
    assert.equal((threaded as { blocked?: true }).blocked, true);
    assert.match((threaded as { error: string }).error, /the gateway's own address/);
    assert.equal(listener.received.length, 0);
  } finally {
    await sender.close();
  }
  const blockedThread = new ThreadedSender(() => ({ ...options(), self: [], blockedAddresses: PRIVATE_RANGES }));
  try {
    await blockedThread.post(`http://localhost:${port}/`, {}, 'starts the thread');
    await until(() => blockedThread.ready);
    const refused = await blockedThread.post(`http://localhost:${port}/`, {}, 'on the thread');
    assert.match((refused as { error: string }).error, /^listener host resolves to a blocked address /, 'the setting reached the thread');
    assert.equal(listener.received.length, 0);
  } finally {
    await blockedThread.close();
    await listener.close();
  }
});
