import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { startTestGateway, TEST_STORE } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { runCli } from './run.js';

const SEND = '/sms/v3/messaging/outbox';

// The suite runs once per store (scripts/run-tests.mjs): each pass has its own test.
const onStore = (store: typeof TEST_STORE) => (TEST_STORE === store ? test : () => undefined);

onStore('sqlite')('switchboard backup FILE: a consistent copy of a store in use, which a gateway starts on', async () => {
  const gw = await startTestGateway();
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-backup-'));
  const restoredDir = join(dir, 'restored');
  try {
    const app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] });
    const send = async (i: number) => {
      const res = await gw.request('POST', SEND, { headers: { ...app.auth, accept: 'application/json' }, body: { outboundSMSRequest: { address: 'tel:+14255550100', message: `backup ${i}` } } });
      assert.equal(res.status, 201, res.text);
      return res.json().outboundSMSResponse.messageId as string;
    };
    const before = await send(0);
    // The gateway keeps accepting while the copy is made.
    const file = join(dir, 'switchboard-backup.db');
    const [result, during] = await Promise.all([runCli(['backup', file], { SWITCHBOARD_DATA_DIR: gw.dataDir }), Promise.all(Array.from({ length: 100 }, (_, i) => send(i + 1)))]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.json().backup.file, file);
    assert.equal(result.json().backup.bytes, (await stat(file)).size);
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'as private as the store');
    assert.deepEqual((await readdir(dir)).sort(), ['switchboard-backup.db'], 'no partial file left');
    const copy = new BetterSqlite3(file, { readonly: true });
    try {
      assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(copy.pragma('journal_mode', { simple: true }), 'delete', 'one self-contained file');
    } finally {
      copy.close();
    }

    // Never over an existing file, nor a link someone left where the copy would go.
    const again = await runCli(['backup', file], { SWITCHBOARD_DATA_DIR: gw.dataDir });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /exists; a backup never overwrites a file/);
    assert.equal((await stat(file)).size, result.json().backup.bytes);
    const dangling = join(dir, 'dangling.db');
    await symlink(join(dir, 'nowhere'), dangling);
    const overLink = await runCli(['backup', dangling], { SWITCHBOARD_DATA_DIR: gw.dataDir });
    assert.equal(overLink.status, 2);
    assert.match(overLink.stderr, /dangling\.db exists/);
    assert.equal((await lstat(dangling)).isSymbolicLink(), true);
    const noDir = await runCli(['backup', join(dir, 'missing', 'x.db')], { SWITCHBOARD_DATA_DIR: gw.dataDir });
    assert.equal(noDir.status, 2);
    assert.match(noDir.stderr, /missing is not a directory/);
    // A data dir with no store in it (a typo) is not backed up as an empty store.
    const typo = await runCli(['backup', join(dir, 'typo.db')], { SWITCHBOARD_DATA_DIR: join(dir, 'no-such-data-dir') });
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /no store in .*no-such-data-dir \(SWITCHBOARD_DATA_DIR\)/);
    assert.deepEqual((await readdir(dir)).sort(), ['dangling.db', 'switchboard-backup.db'], 'nothing else written');

    // Restored: the app, its token and the message accepted before the backup are there.
    await gw.close();
    await rm(restoredDir, { recursive: true, force: true });
    await mkdir(restoredDir, { mode: 0o700 });
    await copyFile(file, join(restoredDir, 'switchboard.db'));
    const restored = await startTestGateway({ SWITCHBOARD_DATA_DIR: restoredDir });
    try {
      const status = await restored.request('GET', `${SEND}/${before}`, { headers: { ...app.auth, accept: 'application/json' } });
      assert.equal(status.status, 200, status.text);
      assert.equal(status.json().DeliveryInfoList.ResourceUrl.endsWith(before), true);
      const listed = await restored.request('GET', '/admin/v1/apps', { headers: { authorization: `Bearer ${restored.env.SWITCHBOARD_ADMIN_TOKEN}` } });
      assert.ok(listed.json().apps.some((a: { id: string }) => a.id === app.id));
    } finally {
      await restored.close();
    }
    assert.equal(during.length, 100);
  } finally {
    await gw.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

onStore('sqlite')('a backup removes what an earlier one to the same file left when it was killed (kill -9)', async () => {
  const gw = await startTestGateway();
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-backup-'));
  try {
    const file = join(dir, 'nightly.db');
    // What a backup killed mid-copy leaves: its partial copy and SQLite's journal of it.
    for (const left of ['nightly.db.0123456789ab.partial', 'nightly.db.0123456789ab.partial-journal']) await writeFile(join(dir, left), 'x');
    await writeFile(join(dir, 'other.db.0123456789ab.partial'), 'another file\'s');
    const res = await runCli(['backup', file], { SWITCHBOARD_DATA_DIR: gw.dataDir });
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual((await readdir(dir)).sort(), ['nightly.db', 'other.db.0123456789ab.partial']);
  } finally {
    await gw.close();
    await rm(dir, { recursive: true, force: true });
  }
});

onStore('sqlite')('a restore that kept the old store\'s -wal beside the backup says to remove it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-backup-'));
  const data = join(dir, 'data');
  const env = { SWITCHBOARD_DATA_DIR: data, SWITCHBOARD_DATABASE_URL: '' };
  const store = join(data, 'switchboard.db');
  try {
    assert.equal((await runCli(['migrate'], env)).status, 0);
    const backup = join(dir, 'backup.db');
    assert.equal((await runCli(['backup', backup], env)).status, 0);
    // The store goes on after the backup; its log at a kill -9 is what the walk left in place.
    const db = new BetterSqlite3(store);
    db.pragma('wal_autocheckpoint = 0');
    db.exec('create table later (body text)');
    for (let i = 0; i < 200; i++) db.prepare('insert into later values (?)').run('x'.repeat(3000));
    db.exec("delete from kysely_migration where name > '0050'");
    await copyFile(`${store}-wal`, join(dir, 'left-wal'));
    db.close();
    await copyFile(backup, store);
    await copyFile(join(dir, 'left-wal'), `${store}-wal`);

    const res = await runCli(['app', 'list'], env);
    assert.equal(res.status, 2, res.stdout);
    assert.equal(
      res.stderr,
      `switchboard: invalid configuration: SWITCHBOARD_DATA_DIR: cannot keep the SQLite store in ${data}: database disk image is malformed; ` +
        `if switchboard.db was restored from a backup, ${store}-wal is the old store's log: remove it and switchboard.db-shm, then start again\n`,
    );
    await rm(`${store}-wal`);
    await rm(`${store}-shm`, { force: true });
    assert.equal((await runCli(['app', 'list'], env)).status, 0, 'the restore as the steps say');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

onStore('postgres')('switchboard backup on PostgreSQL points at pg_dump', async () => {
  const gw = await startTestGateway();
  try {
    const res = await runCli(['backup', join(tmpdir(), 'never-written.db')], { SWITCHBOARD_DATABASE_URL: gw.env.SWITCHBOARD_DATABASE_URL ?? '' });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /the store is PostgreSQL \(SWITCHBOARD_DATABASE_URL\): back it up with pg_dump/);
  } finally {
    await gw.close();
  }
});
