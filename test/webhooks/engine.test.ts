import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { WebhookEngine } from '../../src/webhooks/engine.js';
import { withSqliteStore } from '../helpers/sqlite.js';

/** The warnings logged while an engine is made with these settings. */
async function warnings(env: Record<string, string>): Promise<string[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  await withSqliteStore(async (store, dir) => {
    const config = loadConfig({ SWITCHBOARD_DATA_DIR: dir, ...env });
    new WebhookEngine({ store, clock: systemClock, config, log: createLogger('warn', sink), self: () => [] });
  });
  return lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
}

test('more webhook slots per listener than workers is warned about at start: no listener gets more POSTs at once than the workers', async () => {
  assert.deepEqual(await warnings({}), []);
  assert.deepEqual(await warnings({ SWITCHBOARD_WEBHOOK_CONCURRENCY: '32' }), []);
  const [warning, ...rest] = await warnings({ SWITCHBOARD_WEBHOOK_CONCURRENCY: '64' });
  assert.deepEqual(rest, []);
  assert.match(warning ?? '', /^SWITCHBOARD_WEBHOOK_CONCURRENCY is above SWITCHBOARD_DISPATCH_CONCURRENCY: a listener gets at most 32 POSTs at once/);
});
