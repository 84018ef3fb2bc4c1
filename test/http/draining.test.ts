import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';

test('a request that arrives while the gateway stops gets 503 SVC1000 with Retry-After in its envelope', async () => {
  const gw = await startTestGateway();
  try {
    const app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] });
    const body = JSON.stringify({ outboundSMSRequest: { address: 'tel:+14255550100', message: 'in flight at the stop' } });
    const socket = connect(gw.gateway.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // A send still in flight keeps its connection open through the stop; a second request
    // pipelined behind it arrives once the stop has begun.
    const head = `POST /sms/v3/messaging/outbox HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${app.auth.authorization}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    socket.write(head + body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 100));
    const stopping = gw.gateway.close();
    await new Promise((r) => setTimeout(r, 100));
    socket.write(`${body.slice(10)}GET /sms/v3/messaging/outbox/unknown-id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${app.auth.authorization}\r\nAccept: application/json\r\n\r\n`);
    await ended;
    await stopping;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 2, received);
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
