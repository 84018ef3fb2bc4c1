import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../helpers/gateway.js';
import { sendHalfARequest } from '../helpers/slow-client.js';

test('a client that never finishes its request gets 408 and is hung up on; it cannot hold the graceful stop', async () => {
  const gw = await startTestGateway({ SWITCHBOARD_REQUEST_TIMEOUT_MS: '500' });
  let closed = false;
  try {
    const started = Date.now();
    const answer = await (await sendHalfARequest(gw.url)).answer;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 10_000, `cut after ${Date.now() - started} ms`);
    assert.equal(gw.gateway.ctx.requests?.count, 0);

    const held = await sendHalfARequest(gw.url);
    await new Promise((r) => setTimeout(r, 100));
    const stopping = Date.now();
    await gw.close();
    closed = true;
    assert.ok(Date.now() - stopping < 10_000, `stopped after ${Date.now() - stopping} ms`);
    await held.answer;
  } finally {
    if (!closed) await gw.close();
  }
});
