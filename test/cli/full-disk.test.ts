import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_STORE } from '../helpers/gateway.js';
import { FILL_TMPFS, inTmpfs } from '../helpers/tmpfs.js';
import { CLI_FROM_SOURCE, runCli } from './run.js';
import { repoFile } from '../helpers/root.js';

const BIN = repoFile('bin/switchboard.js');
// The suite runs once per store (scripts/run-tests.mjs): a full disk is SQLite's case.
const onSqlite = TEST_STORE === 'sqlite' ? test : () => undefined;

/** A store made on the real disk, then copied to a fresh tmpfs at `full` that is then filled. */
async function withStoreToCopy(fn: (data: string, full: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-full-disk-'));
  try {
    const data = join(dir, 'data');
    const made = await runCli(['migrate'], { SWITCHBOARD_DATA_DIR: data, SWITCHBOARD_DATABASE_URL: '' });
    assert.equal(made.status, 0, made.stderr);
    await mkdir(join(dir, 'full'));
    await fn(data, join(dir, 'full'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

onSqlite('a gateway started on a full disk says the disk is full and what to do (it said "disk I/O error")', async (t) => {
  await withStoreToCopy(async (data, full) => {
    const res = await inTmpfs(full, '4m', `cp -a "$DATA" "$TMPFS/data" && ${FILL_TMPFS}\n"$NODE" "$BIN" serve`, {
      DATA: data,
      NODE: process.execPath,
      BIN,
      SWITCHBOARD_DATA_DIR: join(full, 'data'),
      SWITCHBOARD_DATABASE_URL: '',
      SWITCHBOARD_TEST_CLI_FROM_SOURCE: CLI_FROM_SOURCE,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    if (res === undefined) return t.skip('no user namespaces here (unshare -rm) to mount a small tmpfs');
    assert.equal(res.status, 2, `${res.stdout}${res.stderr}`);
    assert.match(res.stderr, /^switchboard: invalid configuration: SWITCHBOARD_DATA_DIR: cannot keep the SQLite store in .*\/full\/data: the disk is full \(\d+ bytes free\); free space there .* and start again\n$/);
  });
});

onSqlite('a backup to a full disk names the backup file, not the store, and leaves nothing there', async (t) => {
  await withStoreToCopy(async (data, full) => {
    const target = join(full, 'backup.db');
    const res = await inTmpfs(full, '64k', `"$NODE" "$BIN" backup "$TARGET"; status=$?; ls -A "$TMPFS" >&2; exit $status`, {
      NODE: process.execPath,
      BIN,
      TARGET: target,
      SWITCHBOARD_DATA_DIR: data,
      SWITCHBOARD_DATABASE_URL: '',
      SWITCHBOARD_TEST_CLI_FROM_SOURCE: CLI_FROM_SOURCE,
      LOG_LEVEL: 'silent',
    });
    if (res === undefined) return t.skip('no user namespaces here (unshare -rm) to mount a small tmpfs');
    assert.equal(res.status, 1, `${res.stdout}${res.stderr}`);
    // It said `switchboard: disk full: <the store's path> cannot be written`.
    assert.equal(res.stderr, `switchboard: disk full: the backup ${target} cannot be written; nothing was kept\n`);
  });
});

onSqlite('a migration the disk cut short leaves the store as it was, says so, and works once space is freed (it failed for ever: table "apps" already exists)', async (t) => {
  // Space left for the store: 16 KiB fails before any migration (it said `migration  failed: disk
  // I/O error`), 128 KiB within 0001-foundation.
  const sizes = [16, 128];
  const full = await mkdtemp(join(tmpdir(), 'switchboard-full-migrate-'));
  try {
    const script = sizes
      .map((kib) =>
        [
          'rm -rf "$TMPFS/data"',
          'total=$(df -k --output=avail "$TMPFS" | tail -1)',
          `head -c $(( (total - ${kib}) * 1024 )) /dev/zero > "$TMPFS/filler" 2>/dev/null`,
          `"$NODE" "$BIN" migrate >/dev/null; echo "${kib} KiB: exit $?" >&2`,
          'rm -f "$TMPFS/filler"',
          '"$NODE" "$BIN" migrate >/dev/null; echo "freed: exit $?" >&2',
        ].join('\n'),
      )
      .join('\n');
    const res = await inTmpfs(full, '8m', script, {
      NODE: process.execPath,
      BIN,
      SWITCHBOARD_DATA_DIR: join(full, 'data'),
      SWITCHBOARD_DATABASE_URL: '',
      SWITCHBOARD_TEST_CLI_FROM_SOURCE: CLI_FROM_SOURCE,
      LOG_LEVEL: 'silent',
    });
    if (res === undefined) return t.skip('no user namespaces here (unshare -rm) to mount a small tmpfs');
    const said = `switchboard: invalid configuration: SWITCHBOARD_DATA_DIR: cannot keep the SQLite store in ${join(full, 'data')}: the disk is full (N bytes free); free space there (or move the data dir to a larger disk) and start again`;
    const expected = sizes.flatMap((kib) => [said, `${kib} KiB: exit 2`, 'freed: exit 0']);
    assert.deepEqual(res.stderr.replace(/\(\d+ bytes free\)/g, '(N bytes free)').trimEnd().split('\n'), expected);
  } finally {
    await rm(full, { recursive: true, force: true });
  }
});
