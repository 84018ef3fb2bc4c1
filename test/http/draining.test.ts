import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';

/**
 * Writes `inFlight` but its last 10 bytes, stops the gateway, then writes those bytes with
 * `second` pipelined behind them: a request in flight keeps its connection open through the
 * stop, and the second one arrives once the stop has begun. The raw answers, in order.
 */
async function pipelineThroughStop(gw: TestGateway, inFlight: string, second: string): Promise<string[]> {
  const socket = connect(gw.gateway.port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(inFlight.slice(0, -10));
  await new Promise((r) => setTimeout(r, 100));
  const stopping = gw.gateway.close();
  await new Promise((r) => setTimeout(r, 100));
  socket.write(inFlight.slice(-10) + second);
  await ended;
  await stopping;
  return received.split(/(?=HTTP\/1\.1 )/);
}

test('a request that arrives while the gateway stops gets 503 SVC1000 with Retry-After in its envelope', async () => {
  const gw = await startTestGateway();
  try {
    const app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] });
    const body = JSON.stringify({ outboundSMSRequest: { address: 'tel:+14255550100', message: 'in flight at the stop' } });
    const send = `POST /sms/v3/messaging/outbox HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${app.auth.authorization}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const answers = await pipelineThroughStop(gw, send, `GET /sms/v3/messaging/outbox/unknown-id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${app.auth.authorization}\r\nAccept: application/json\r\n\r\n`);
    assert.equal(answers.length, 2, answers.join(''));
    assert.match(answers[0] ?? '', /^HTTP\/1\.1 201 /, 'the send in flight is answered');
    const refused = answers[1] ?? '';
    assert.match(refused, /^HTTP\/1\.1 503 /);
    assert.match(refused, /\r\nretry-after: 1\r\n/i);
    const json = JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4)) as unknown;
    assert.deepEqual(json, { RequestError: { ServiceException: { MessageId: 'SVC1000', Text: 'No resources', Variables: '' } } });
  } finally {
    await gw.close();
  }
});

test('a console page asked for while the gateway stops is a 503 page with the console headers and Retry-After', async () => {
  const gw = await startTestGateway();
  try {
    const csp = (await gw.request('GET', '/console/login')).headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    const signIn = 'POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\n\r\ntoken=not-the-token1';
    const answers = await pipelineThroughStop(gw, signIn, 'GET /console/apps HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(answers.length, 2, answers.join(''));
    assert.match(answers[0] ?? '', /^HTTP\/1\.1 401 /, 'the sign-in in flight is answered');
    const refused = answers[1] ?? '';
    assert.match(refused, /^HTTP\/1\.1 503 /);
    assert.match(refused, /\r\ncontent-type: text\/html/i);
    assert.ok(refused.includes(`\r\ncontent-security-policy: ${csp}\r\n`), refused);
    assert.match(refused, /\r\nx-frame-options: DENY\r\n/);
    assert.match(refused, /\r\nretry-after: 1\r\n/i);
  } finally {
    await gw.close();
  }
});
