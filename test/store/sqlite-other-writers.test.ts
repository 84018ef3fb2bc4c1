import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createApp } from '../helpers/apps.js';
import { startTestGateway, TEST_STORE, type TestGateway } from '../helpers/gateway.js';

/*
 * The CLI's store commands write to a running gateway's SQLite file from another process. A
 * gateway transaction that read before it wrote failed at once with SQLITE_BUSY ("database is
 * locked") when that process committed in between: SQLite cannot let a transaction whose
 * snapshot is out of date write, nor wait for it to be current. Token requests were answered
 * 500 while `switchboard app create` ran beside the gateway.
 */

/** Another process committing small writes to the store back to back until it is stopped. */
async function busyWriter(gw: TestGateway, appId: string): Promise<{ stop: () => Promise<number> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 5000');
    const touch = db.prepare('update apps set updated_at = updated_at + 0 where id = ?');
    let commits = 0, stopping = false;
    process.on('SIGTERM', () => { stopping = true; });
    console.log('writing');
    (function loop() {
      if (stopping) { db.close(); console.log(commits); return; }
      for (let i = 0; i < 20; i++) { touch.run(process.argv[2]); commits++; }
      setImmediate(loop);
    })();
  `;
  const child = spawn(process.execPath, ['-e', script, `${gw.dataDir}/switchboard.db`, appId], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  assert.equal(first, 'writing');
  return {
    stop: async () => {
      const last = once(lines, 'line');
      child.kill('SIGTERM');
      return Number((await last)[0]);
    },
  };
}

test('token requests made while another process commits writes to the store are all answered', { skip: TEST_STORE !== 'sqlite' && 'SQLite only' }, async () => {
  const gw = await startTestGateway();
  try {
    const app = await createApp(gw);
    const other = await createApp(gw);
    const writer = await busyWriter(gw, other.id);
    const statuses: number[] = [];
    try {
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(
          Array.from({ length: 8 }, () =>
            gw.request('POST', '/oauth/v4/token', {
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ client_id: app.appKey, client_secret: app.appSecret, grant_type: 'client_credentials', scope: 'SMS' }).toString(),
            }),
          ),
        );
        statuses.push(...answers.map((a) => a.status));
      }
    } finally {
      const commits = await writer.stop();
      assert.ok(commits > 0, 'the other process wrote');
    }
    assert.deepEqual(statuses.filter((s) => s !== 200), [], 'every token request answered 200');
  } finally {
    await gw.close();
  }
});
