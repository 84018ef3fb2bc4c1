import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { ADMIN_AUTH } from '../helpers/apps.js';
import { startTestGateway } from '../helpers/gateway.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';
import { HappySmsc } from '../smpp/fake-smsc.js';
import { withSqliteStore } from '../helpers/sqlite.js';
import { InstanceRegistry, JoinRefusedError } from '../../src/instances/registry.js';
import { FAST_SMPP } from '../smpp/world.js';

/*
 * Gateways on one PostgreSQL database know of each other (GET /admin/v1/instances), and one on
 * another network does not start beside them: it would take a share of their submits (jobs are
 * shared) and "deliver" them to its virtual handsets.
 */

const reachable = await postgresReachable();

test('instances on one database: listed while they run; one on another network is refused at start; gone ones do not count', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  const database = await createTestDatabase();
  const smsc = await new HappySmsc().start();
  t.after(async () => {
    await smsc.stop();
    await database.drop();
  });
  const shared = { SWITCHBOARD_DATABASE_URL: database.url };
  const smppEnv = { SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: `smpp://gw:secret@127.0.0.1:${smsc.port}`, ...FAST_SMPP, ...shared };
  const first = await startTestGateway(smppEnv);
  t.after(() => first.close());
  const second = await startTestGateway(smppEnv);
  const listed = async () => {
    const res = await first.request('GET', '/admin/v1/instances', { headers: ADMIN_AUTH });
    assert.equal(res.status, 200, res.text);
    return res.json().instances as Array<{ url: string; network: string; smsc: string | null; pid: number; live: boolean; self: boolean }>;
  };
  const both = await listed();
  assert.deepEqual(both.map((i) => [i.url, i.network, i.smsc, i.live]).sort(), [
    [first.url, 'smpp', `127.0.0.1:${smsc.port}`, true],
    [second.url, 'smpp', `127.0.0.1:${smsc.port}`, true],
  ].sort());
  assert.deepEqual(both.filter((i) => i.self).map((i) => i.url), [first.url]);
  assert.equal((await first.request('GET', '/admin/v1/instances')).status, 401, 'admin token required');
  // An app may not make one instance call another's API, as it may not make it call its own (the
  // one that joined later knows the other at once; the other learns of it at its next heartbeat).
  const toSibling = await second.request('POST', '/admin/v1/apps', { headers: ADMIN_AUTH, body: { name: 'sibling caller', deliveryStatusUrl: `${first.url}/admin/v1/apps` } });
  assert.equal(toSibling.status, 400, toSibling.text);
  assert.match(toSibling.text, /own port/);
  await second.close();
  assert.deepEqual((await listed()).map((i) => i.url), [first.url], 'a graceful stop removes its entry');

  await assert.rejects(
    startTestGateway({ SWITCHBOARD_NETWORK: 'simulator', ...shared }),
    (err: unknown) =>
      err instanceof JoinRefusedError &&
      err.message ===
        `SWITCHBOARD_NETWORK=simulator, but a live gateway on this database sends through another network: ${first.url} (${hostname()}, pid ${process.pid}, smpp to 127.0.0.1:${smsc.port}). Stop it first, or give this gateway a database of its own (SWITCHBOARD_DATABASE_URL).`,
  );
  assert.deepEqual((await listed()).map((i) => i.url), [first.url], 'the refused one left no entry');

  // Entries of processes that are gone do not block: one not refreshed for 30 s (a crash), and one
  // refreshed just now by a process of this machine that no longer runs (kill -9, then a restart).
  const store = first.gateway.ctx.store;
  const gonePid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  const now = Date.now();
  const gone = { network: 'simulator', smsc: null, url: 'http://127.0.0.1:1', settings: {}, startedAt: now - 120_000 };
  await store.instances.announce({ ...gone, id: 'crashed', host: 'elsewhere', pid: 1, seenAt: now - 60_000 });
  await store.instances.announce({ ...gone, id: 'killed', host: hostname(), pid: Number(gonePid), seenAt: now });
  const third = await startTestGateway(smppEnv);
  t.after(() => third.close());
  const all = await listed();
  assert.deepEqual(all.map((i) => i.live), [true, true, false, false], 'live ones first');
  assert.deepEqual(all.filter((i) => i.live).map((i) => i.url).sort(), [first.url, third.url].sort());

  // And the other way round: a simulator instance is alone on its database, an smpp one may not join it.
  const simDatabase = await createTestDatabase();
  t.after(() => simDatabase.drop());
  const sim = await startTestGateway({ SWITCHBOARD_NETWORK: 'simulator', SWITCHBOARD_DATABASE_URL: simDatabase.url });
  t.after(() => sim.close());
  await assert.rejects(startTestGateway({ ...smppEnv, SWITCHBOARD_DATABASE_URL: simDatabase.url }), (err: unknown) => err instanceof JoinRefusedError && /^SWITCHBOARD_NETWORK=smpp, but a live gateway on this database sends through another network: .*, simulator\)\./.test(err.message));
});

test('a simulator and an smpp instance started at the same moment on one database: exactly one runs', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  const smsc = await new HappySmsc().start();
  t.after(() => smsc.stop());
  for (let round = 0; round < 3; round++) {
    const database = await createTestDatabase();
    t.after(() => database.drop());
    // Migrated first, so both starts reach the registry together rather than one behind the migration lock.
    const first = await startTestGateway({ SWITCHBOARD_DATABASE_URL: database.url });
    await first.close();
    const started = await Promise.allSettled([
      startTestGateway({ SWITCHBOARD_NETWORK: 'simulator', SWITCHBOARD_DATABASE_URL: database.url }),
      startTestGateway({ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: `smpp://gw:secret@127.0.0.1:${smsc.port}`, ...FAST_SMPP, SWITCHBOARD_DATABASE_URL: database.url }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') t.after(() => s.value.close());
    const refused = started.filter((s) => s.status === 'rejected');
    assert.equal(refused.length, 1, `round ${round}: ${started.map((s) => s.status).join(', ')}`);
    assert.ok(refused[0]?.status === 'rejected' && refused[0].reason instanceof JoinRefusedError);
  }
});

test('the later join gives way whatever order the two were created in (a start that began first may write last)', async () => {
  await withSqliteStore(async (store) => {
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const registry = (network: string, port: number) =>
      new InstanceRegistry({ repo: store.instances, clock: { now: () => Date.now() }, log, network, smsc: null, url: () => `http://127.0.0.1:${port}`, settings: {} });
    const earlier = registry('simulator', 1);
    const later = registry('smpp', 2);
    await later.join();
    await assert.rejects(earlier.join(), (err: unknown) => err instanceof JoinRefusedError && err.message.includes('http://127.0.0.1:2'));
    assert.deepEqual((await store.instances.list()).map((r) => r.url), ['http://127.0.0.1:2']);
    await later.leave();
  });
});

test('an instance whose shared settings differ from a live one is told which, once', async () => {
  await withSqliteStore(async (store) => {
    const warnings: Array<{ obj: object; msg: string }> = [];
    const log = { info: () => undefined, warn: (obj: object, msg: string) => warnings.push({ obj, msg }), error: () => undefined };
    const registry = (port: number, settings: Record<string, string>) =>
      new InstanceRegistry({ repo: store.instances, clock: { now: () => Date.now() }, log, network: 'smpp', smsc: null, url: () => `http://127.0.0.1:${port}`, settings, heartbeatMs: 50 });
    const first = registry(1, { SWITCHBOARD_INBOX_RETENTION_S: '1800', SWITCHBOARD_MAX_RECIPIENTS: '50' });
    await first.join();
    const second = registry(2, { SWITCHBOARD_INBOX_RETENTION_S: '60', SWITCHBOARD_MAX_RECIPIENTS: '50' });
    await second.join();
    assert.equal(warnings.length, 1, 'the one that joined is told at once');
    assert.match(warnings[0]?.msg ?? '', /^settings differ from the gateway http:\/\/127\.0\.0\.1:1 on this database \(SWITCHBOARD_INBOX_RETENTION_S\)/);
    assert.deepEqual(warnings[0]?.obj, { other: 'http://127.0.0.1:1', settings: { SWITCHBOARD_INBOX_RETENTION_S: { there: '1800', here: '60' } } });
    // The first hears of it at its next heartbeat, once; nobody says it again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(warnings.length, 2);
    assert.match(warnings[1]?.msg ?? '', /gateway http:\/\/127\.0\.0\.1:2/);
    await first.leave();
    await second.leave();
  });
});

test('the entries of crashed instances are forgotten after 24 h by the instances that keep running, not only at a start', async () => {
  await withSqliteStore(async (store) => {
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    let now = Date.now();
    const registry = new InstanceRegistry({ repo: store.instances, clock: { now: () => now }, log, network: 'simulator', smsc: null, url: () => 'http://127.0.0.1:1', settings: {} });
    await registry.join();
    const crashed = { id: 'crashed-elsewhere', host: 'elsewhere', pid: 7, network: 'simulator', smsc: null, url: 'http://192.0.2.1:8080', settings: {}, startedAt: now, seenAt: now };
    await store.instances.announce(crashed);
    const urls = async () => (await store.instances.list()).map((r) => r.url).sort();
    now += 23 * 3600_000;
    await registry.refresh();
    assert.deepEqual(await urls(), ['http://127.0.0.1:1', 'http://192.0.2.1:8080'], 'gone for 23 h: still listed');
    now += 2 * 3600_000;
    await registry.refresh();
    assert.deepEqual(await urls(), ['http://127.0.0.1:1'], 'gone for 25 h: forgotten by the running instance');
    await registry.leave();
  });
});
