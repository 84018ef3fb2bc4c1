import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../bench/lib/journal.js';

test('the relay journal: a synced record is in the file when its promise resolves, records in append order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-journal-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'relay.journal');
  const journal = await Journal.open(path);
  journal.append({ submitted: 'a' });
  await journal.appendSynced({ accepted: 1 });
  assert.deepEqual(readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ submitted: 'a' }, { accepted: 1 }]);
  // Appended while a sync runs: they go together in the next write, each resolving once it is on disk.
  await Promise.all(Array.from({ length: 50 }, (_, i) => journal.appendSynced({ final: i }).then(() => assert.match(readFileSync(path, 'utf8'), new RegExp(`"final":${i}}`)))));
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines.length, 52);
  assert.deepEqual(lines.slice(2).map((l) => (JSON.parse(l) as { final: number }).final), Array.from({ length: 50 }, (_, i) => i));
  await journal.close();
  await assert.rejects(journal.appendSynced({ after: 'close' }), 'a record that cannot be written is not reported on disk');
});
