import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadCache } from '../../src/store/sql/read-cache.js';
import type { AccessGrant } from '../../src/store/repos/tokens.js';

const grant: AccessGrant = {
  token: { hash: 'h', appId: 'app1', kind: 'access', parentHash: null, scopes: ['SMS'], expiresAt: null, revokedAt: null, createdAt: 0 },
  app: { id: 'app1', name: 'app1', realm: 'sandbox', suspended: false, scopes: ['SMS'], ratePerSecond: null, ratePerDay: null, deliveryStatusUrl: null, shortCodes: [] },
};

test('a value is read once, then answered from memory until a change', async () => {
  const cache = new ReadCache<AccessGrant>();
  let reads = 0;
  const load = async () => {
    reads++;
    return grant;
  };
  assert.equal(await cache.get('h', load), grant);
  assert.equal(await cache.get('h', load), grant);
  assert.equal(reads, 1);
  cache.invalidate();
  assert.equal(await cache.get('h', load), grant);
  assert.equal(reads, 2);
});

test('a read that a change overtook is answered but not kept; missing values are never kept', async () => {
  const cache = new ReadCache<AccessGrant>();
  let reads = 0;
  let finish: (() => void) | undefined;
  const first = cache.get('h', () => {
    reads++;
    return new Promise<AccessGrant>((resolve) => (finish = () => resolve(grant)));
  });
  cache.invalidate();
  finish?.();
  assert.equal(await first, grant);
  const load = async () => {
    reads++;
    return grant;
  };
  await cache.get('h', load);
  assert.equal(reads, 2, 'the overtaken read was not kept');
  await cache.get('h', load);
  assert.equal(reads, 2);
  let misses = 0;
  const missing = async () => {
    misses++;
    return undefined;
  };
  assert.equal(await cache.get('nope', missing), undefined);
  assert.equal(await cache.get('nope', missing), undefined);
  assert.equal(misses, 2);
});
