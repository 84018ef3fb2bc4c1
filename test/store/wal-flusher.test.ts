import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalFlusher } from '../../src/store/sqlite/wal-flusher.js';

/** A sync whose completions the test releases one by one. */
function manualSync() {
  const pending: Array<() => void> = [];
  return {
    started: () => pending.length,
    sync: () => new Promise<void>((resolve) => pending.push(resolve)),
    finish: async (i: number) => {
      pending[i]?.();
      await new Promise((r) => setImmediate(r));
    },
  };
}

function withFlusher(fn: (flusher: WalFlusher, s: ReturnType<typeof manualSync>) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-wal-'));
    const s = manualSync();
    const flusher = new WalFlusher(join(dir, 'db-wal'), s.sync);
    try {
      await fn(flusher, s);
    } finally {
      flusher.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('a flush asked for while a sync runs waits for a sync that started after it', withFlusher(async (flusher, s) => {
  const done: string[] = [];
  void flusher.flush().then(() => done.push('a'));
  assert.equal(s.started(), 1);
  // b and c committed after sync 0 began: sync 0 does not cover them.
  void flusher.flush().then(() => done.push('b'));
  void flusher.flush().then(() => done.push('c'));
  assert.equal(s.started(), 1, 'the next sync waits for the one under way');
  await s.finish(0);
  assert.deepEqual(done, ['a']);
  assert.equal(s.started(), 2, 'one sync serves every flush that queued behind the first');
  await s.finish(1);
  assert.deepEqual(done, ['a', 'b', 'c']);
}));

test('flushIfDirty syncs only after a write was marked', withFlusher(async (flusher, s) => {
  assert.equal(flusher.flushIfDirty(), undefined);
  flusher.markDirty();
  const p = flusher.flushIfDirty();
  assert.ok(p);
  assert.equal(flusher.flushIfDirty(), undefined, 'the mark is spent by the flush that covers it');
  await s.finish(0);
  await p;
}));

test('whenDurable waits for the sync that covers the last write, starting one only when none does', withFlusher(async (flusher, s) => {
  assert.equal(flusher.whenDurable(), undefined, 'nothing written: nothing to wait for');
  flusher.markDirty();
  // Someone else (the connection's release) took the mark first: wait for their sync, start none.
  const theirs = flusher.flushIfDirty();
  const ours = flusher.whenDurable();
  assert.equal(s.started(), 1);
  assert.equal(ours, theirs);
  // A write during that sync is not covered by it: the next sync is queued and waited for.
  flusher.markDirty();
  const later = flusher.whenDurable();
  assert.notEqual(later, theirs);
  const done: string[] = [];
  void ours?.then(() => done.push('first'));
  void later?.then(() => done.push('second'));
  await s.finish(0);
  assert.deepEqual(done, ['first']);
  assert.equal(s.started(), 2);
  const again = flusher.whenDurable();
  assert.equal(s.started(), 2, 'the sync under way covers every write so far: none is started');
  void again?.then(() => done.push('again'));
  await s.finish(1);
  assert.deepEqual([...done].sort(), ['again', 'first', 'second']);
  assert.equal(flusher.whenDurable(), undefined);
}));

test('a failed sync fails its callers and the next flush syncs again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-wal-'));
  let calls = 0;
  const flusher = new WalFlusher(join(dir, 'db-wal'), async () => {
    calls++;
    if (calls === 1) throw new Error('EIO');
  });
  try {
    await assert.rejects(flusher.flush(), /EIO/);
    await flusher.flush();
    assert.equal(calls, 2);
  } finally {
    flusher.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
