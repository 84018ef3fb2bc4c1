import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Checkpointer, type HoldConnection } from '../../src/store/sqlite/checkpointer.js';

/** A database in WAL mode in a fresh directory, with SQLite's own checkpoints off (as the store runs it). */
function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-ckpt-'));
  const file = join(dir, 'db.sqlite');
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  return { dir, file, db };
}

test('the worker copies the log into the database file after writes, off the main connection', async () => {
  const { dir, file, db } = walDatabase();
  let fellBack = false;
  const checkpointer = new Checkpointer(file, { fallBack: () => (fellBack = true), hold: (fn) => fn(), intervalMs: 20 });
  try {
    db.exec('create table t (id integer primary key, v text)');
    const insert = db.prepare('insert into t (v) values (?)');
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run('x'.repeat(100));
    })();
    const before = statSync(file).size;
    checkpointer.noteWrite();
    const deadline = Date.now() + 5000;
    // The checkpoint copies page by page: wait for all of it, not for the first change of size.
    while (statSync(file).size <= before + 400_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(statSync(file).size > before + 400_000, 'the rows reached the database file');
    assert.equal(fellBack, false);
    assert.equal(checkpointer.lastError, undefined);
    assert.equal((db.prepare('select count(*) as n from t').get() as { n: number }).n, 5000);
  } finally {
    await checkpointer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('under steady writes the log is started over, not left to grow', async () => {
  const { dir, file, db } = walDatabase();
  // The store's hold parks its queries on Kysely's connection; this writer loop waits the same way.
  let held: Promise<unknown> | undefined;
  const hold: HoldConnection = async (fn) => {
    const run = fn();
    held = run;
    try {
      return await run;
    } finally {
      held = undefined;
    }
  };
  const checkpointer = new Checkpointer(file, { fallBack: () => undefined, hold, intervalMs: 10, restartFrames: 50 });
  try {
    db.exec('create table t (id integer primary key, v text)');
    const insert = db.prepare('insert into t (v) values (?)');
    const write = db.transaction(() => {
      for (let i = 0; i < 20; i++) insert.run('x'.repeat(200));
    });
    let commits = 0;
    const deadline = Date.now() + 10_000;
    while (checkpointer.restarts < 3 && Date.now() < deadline) {
      if (held !== undefined) await held;
      write();
      commits++;
      checkpointer.noteWrite();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(checkpointer.restarts >= 3, `catch-up checkpoints: ${checkpointer.restarts}`);
    // Every commit appends at least a frame: a log shorter than the commits made was started over.
    const [round] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    assert.ok(round !== undefined && round.log < commits / 2, `log ${round?.log} frames after ${commits} commits`);
    assert.equal(checkpointer.lastError, undefined);
    assert.equal((db.prepare('select count(*) as n from t').get() as { n: number }).n, commits * 20);
  } finally {
    await checkpointer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
