import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import pg from 'pg';
import { createApp } from '../helpers/apps.js';
import { startTestGateway } from '../helpers/gateway.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';
import { FAST, handsetMessages, handsetReceives, waitFor } from '../http/send-helpers.js';

/*
 * A statement whose connection is lost after the server ran it — and, outside a transaction,
 * committed it — must not be sent again on a fresh connection: an accept sent twice stored the
 * message twice (the second run found its id taken, the send drew another id), and a read-once
 * status flip sent twice consumed the status for nobody.
 */

const reachable = await postgresReachable();
const skip = reachable ? false : 'no PostgreSQL server';

/** ReadyForQuery: the server has finished the statement (and committed it, outside a transaction). */
const READY = Buffer.from([0x5a, 0, 0, 0, 5]);

/**
 * A pass-through to PostgreSQL. Once armed with a marker, the first statement sent with that text
 * reaches the server, and when the server has answered it the answer is withheld and both
 * connections are closed: the client cannot know that its statement ran.
 */
async function answerLosingProxy(targetPort: number) {
  let marker: string | undefined;
  let lost = 0;
  const server = createServer((client: Socket) => {
    const upstream = connect(targetPort, '127.0.0.1');
    let doomed = false;
    for (const s of [client, upstream]) s.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => {
      if (marker !== undefined && chunk.includes(marker)) {
        marker = undefined;
        doomed = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!doomed) {
        client.write(chunk);
        return;
      }
      if (chunk.includes(READY)) {
        lost += 1;
        client.destroy();
        upstream.destroy();
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    arm: (m: string) => {
      marker = m;
    },
    get lost() {
      return lost;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function gatewayBehind(t: TestContext) {
  const database = await createTestDatabase();
  const proxy = await answerLosingProxy(Number(new URL(database.url).port || 5432));
  const url = new URL(database.url);
  url.port = String(proxy.port);
  const gw = await startTestGateway({ ...FAST, SWITCHBOARD_DATABASE_URL: url.toString() });
  const direct = new pg.Client({ connectionString: database.url });
  await direct.connect();
  t.after(async () => {
    await direct.end();
    await gw.close();
    await proxy.close();
    await database.drop();
  });
  return { gw, proxy, direct };
}

test('an accept whose answer is lost is read back, not sent again: 201 and one message', { skip }, async (t) => {
  const { gw, proxy, direct } = await gatewayBehind(t);
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627390', moDelivery: 'poll' }] });
  proxy.arm('json_populate_recordset(null::"messages"');
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: app.auth,
    body: { outboundSMSRequest: { address: 'tel:+14257390001', message: 'once please' } },
  });
  assert.equal(proxy.lost, 1, 'the accept ran and its answer was lost');
  assert.equal(res.status, 201, res.text);
  const id = res.json().outboundSMSResponse.messageId;
  await handsetReceives(gw, '+14257390001', 1, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const { rows } = await direct.query<{ id: string }>('select id from messages');
  assert.deepEqual(rows.map((r) => r.id), [id], 'one send, one message');
  assert.equal((await handsetMessages(gw, '+14257390001')).length, 1, 'one send, one SMS');
  const metrics = (await gw.request('GET', '/metrics')).text;
  assert.match(metrics, /^switchboard_messages_accepted_total\{api="att-v3"\} 1$/m, 'counted as accepted');
});

test('a read-once status flip whose answer is lost is not sent again: 503 SVC1000, the status consumed once', { skip }, async (t) => {
  const { gw, proxy, direct } = await gatewayBehind(t);
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627391', moDelivery: 'poll' }] });
  const sent = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: 'tel:+14257391001', message: 'status?' } } });
  const id = sent.json().outboundSMSResponse.messageId;
  await waitFor(async () => {
    const { rows } = await direct.query<{ status: string }>('select status from message_recipients where message_id = $1', [id]);
    return rows[0]?.status === 'DeliveredToTerminal' ? true : undefined;
  }, 10_000, 'the final status');
  proxy.arm('set "status_consumed"');
  const res = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
  assert.equal(proxy.lost, 1, 'the flip ran and its answer was lost');
  // Whether the flip took effect cannot be known from here; it was: the status is gone, and the
  // client is told the store failed rather than that the status never existed (400 SVC0002).
  assert.equal(res.status, 503, res.text);
  assert.equal(res.json().RequestError.ServiceException.MessageId, 'SVC1000');
  assert.ok(res.headers.get('retry-after'));
  const { rows } = await direct.query<{ status_consumed: number }>('select status_consumed from messages where id = $1', [id]);
  assert.equal(Number(rows[0]?.status_consumed), 1);
});
