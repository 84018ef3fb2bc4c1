import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { waitFor } from './send-helpers.js';
import { sendMo } from '../inbound/mo.js';

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

test('the `stopped` line counts the attempts the stop ended and the jobs it left queued, apart', async () => {
  // Found in an operator trial: `jobsHandedBack` counted the attempts under way that the stop
  // ended, and was read as the jobs still queued.
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter((l) => l !== '')) lines.push(JSON.parse(line));
      done();
    },
  });
  // A listener that answers after the webhook timeout, one POST at a time: one MO notification in
  // flight at the stop, two waiting behind it.
  // A listener that never answers. The stop waits out the POST in flight, up to the webhook
  // timeout: long enough that the POST cannot time out before the stop begins.
  let posts = 0;
  const listener = createServer(() => void posts++);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/listener`;
  const gw = await startTestGateway({ SWITCHBOARD_WEBHOOK_CONCURRENCY: '1', SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '3000' }, { logger: createLogger('info', sink) });
  try {
    await createApp(gw, { shortCodes: [{ shortCode: '22627300', moDelivery: 'callback', listenerUrl }] });
    for (const text of ['one', 'two', 'three']) await sendMo(gw, '+14255550130', '22627300', text);
    const { jobs } = gw.gateway.ctx.store;
    const queued = async () => posts === 1 && (await jobs.backlog(Number.MAX_SAFE_INTEGER)).ready === 3;
    await waitFor(async () => ((await queued()) ? true : undefined), 5_000, 'the first POST under way and three notifications queued');
  } finally {
    await gw.close();
    listener.closeAllConnections();
    listener.close();
  }
  const stopped = lines.at(-1) ?? {};
  assert.equal(stopped.msg, 'stopped', JSON.stringify(lines.slice(-3)));
  assert.deepEqual([stopped.attemptsRescheduled, stopped.jobsQueued, 'jobsHandedBack' in stopped], [1, 3, false]);
});
