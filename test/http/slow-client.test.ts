import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestGateway } from '../helpers/gateway.js';

/** Sends a request's headers and the start of its body, then nothing; resolves with all it got back when the gateway hangs up. */
function sendHalfARequest(url: string): { answer: Promise<string> } {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  // A path that reads the body before answering (an API path with no token is refused at once).
  socket.write('POST /oauth/v4/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 200\r\n\r\ngrant_type=');
  let got = '';
  socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
  return { answer: new Promise((resolve, reject) => socket.once('close', () => resolve(got)).once('error', reject)) };
}

test('a client that never finishes its request gets 408 and is hung up on; it cannot hold the graceful stop', async () => {
  const gw = await startTestGateway({ SWITCHBOARD_REQUEST_TIMEOUT_MS: '500' });
  let closed = false;
  try {
    const started = Date.now();
    const answer = await sendHalfARequest(gw.url).answer;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 10_000, `cut after ${Date.now() - started} ms`);
    assert.equal(gw.gateway.ctx.requests?.count, 0);

    const held = sendHalfARequest(gw.url);
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
