import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
import { ThreadedSender, startSenderThread } from '../../src/webhooks/sender-thread.js';
import { startListener } from './listener.js';

const OPTIONS = () => ({ timeoutMs: 2000, connectionsPerOrigin: 4, blockedAddresses: [], self: [] });

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A port nobody listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('POSTs go out on the sender thread: headers and body as given, a 2xx acknowledges, anything else fails the attempt', async () => {
  const listener = await startListener((r) => (r.body === 'fail' ? 503 : 204));
  const sender = new ThreadedSender(OPTIONS);
  try {
    assert.deepEqual(await sender.post(listener.url, {}, 'while it loads'), { ok: true, status: 204 }, 'sent from the main thread meanwhile');
    await until(() => sender.ready);
    listener.received.length = 0;
    // Asked for in one turn: they reach the thread in one message and are all answered.
    const results = await Promise.all(
      ['one', 'two', 'fail', 'three'].map((body) => sender.post(listener.url, { 'content-type': 'text/plain', 'x-switchboard-event-id': body }, body)),
    );
    assert.deepEqual(results, [
      { ok: true, status: 204 },
      { ok: true, status: 204 },
      { ok: false, error: 'listener answered HTTP 503' },
      { ok: true, status: 204 },
    ]);
    assert.deepEqual(listener.received.map((r) => [r.method, r.headers['x-switchboard-event-id'], r.body]).sort(), [
      ['POST', 'fail', 'fail'],
      ['POST', 'one', 'one'],
      ['POST', 'three', 'three'],
      ['POST', 'two', 'two'],
    ]);
    const refused = await sender.post(`http://127.0.0.1:${await closedPort()}/x`, {}, 'x');
    assert.equal(refused.ok, false);
    assert.match((refused as { error: string }).error, /ECONNREFUSED/);
  } finally {
    await sender.close();
    await listener.close();
  }
});

/**
 * After a lost thread: the next POST goes out (from the main thread while another thread loads),
 * then one on the new thread, and the listener got nothing but the first POST and those two.
 */
async function nextThreadServes(sender: ThreadedSender, listener: Awaited<ReturnType<typeof startListener>>): Promise<void> {
  assert.deepEqual(await sender.post(listener.url, {}, 'next'), { ok: true, status: 200 });
  await until(() => sender.ready);
  assert.deepEqual(await sender.post(listener.url, {}, 'on the new thread'), { ok: true, status: 200 });
  assert.deepEqual(
    listener.received.map((r) => r.body),
    ['first', 'next', 'on the new thread'],
  );
}

test('a sender thread that dies fails the POSTs it had, and the next POST starts another', async () => {
  const listener = await startListener();
  let started = 0;
  // The first thread exits as soon as it is asked for anything; the next ones are the real one.
  const lostWhy: string[] = [];
  const sender = new ThreadedSender(OPTIONS, {
    start: (options) => {
      started += 1;
      if (started === 1) {
        const script = "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => process.exit(3)); parentPort.postMessage('ready');";
        return new Worker(script, { eval: true });
      }
      return startSenderThread(options);
    },
    lost: (why) => lostWhy.push(why),
  });
  try {
    await sender.post(listener.url, {}, 'first');
    await until(() => sender.ready);
    const lost = await sender.post(listener.url, {}, 'lost');
    assert.deepEqual(lost, { ok: false, error: 'webhook sender thread exited (code 3)' });
    assert.deepEqual(lostWhy, ['exited (code 3)']);
    assert.equal(sender.ready, false);
    await nextThreadServes(sender, listener);
    assert.equal(started, 2);
  } finally {
    await sender.close();
    await listener.close();
  }
});

test('a POST asked for in the turn its thread dies fails, and is not sent by the next thread', async () => {
  const listener = await startListener();
  let started = 0;
  let raced: Promise<unknown> | undefined;
  const sender: ThreadedSender = new ThreadedSender(OPTIONS, {
    start: (options) => {
      started += 1;
      if (started === 1) {
        // Loads, then exits on its own; a POST is asked for just before the sender hears of it.
        const script = "const { parentPort } = require('node:worker_threads'); parentPort.postMessage('ready'); setTimeout(() => process.exit(3), 300);";
        const worker = new Worker(script, { eval: true });
        worker.once('exit', () => {
          raced = sender.post(listener.url, {}, 'raced');
        });
        return worker;
      }
      return startSenderThread(options);
    },
  });
  try {
    await sender.post(listener.url, {}, 'first');
    await until(() => raced !== undefined);
    assert.deepEqual(await raced, { ok: false, error: 'webhook sender thread exited (code 3)' });
    // The failed one is retried by its job; sent here as well, the listener would get it twice.
    await nextThreadServes(sender, listener);
  } finally {
    await sender.close();
    await listener.close();
  }
});

test('closing a sender that never posted starts no thread', async () => {
  let started = 0;
  const sender = new ThreadedSender(OPTIONS, {
    start: (options) => {
      started += 1;
      return startSenderThread(options);
    },
  });
  await sender.close();
  assert.equal(started, 0);
});

test('the endpoints the thread refuses follow the gateway: another instance that came since is refused at connect time too', async () => {
  const listener = await startListener();
  const port = Number(new URL(listener.url).port);
  let self: Array<{ host: string; port: number }> = [];
  const sender = new ThreadedSender(() => ({ ...OPTIONS(), self }));
  try {
    await sender.post(listener.url, {}, 'starts the thread');
    await until(() => sender.ready);
    assert.deepEqual(await sender.post(listener.url, {}, 'before'), { ok: true, status: 200 });
    // An instance at this address and port joins (the registry's heartbeat brings it).
    self = [{ host: '127.0.0.1', port }];
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // A name, on a new origin (a new connection): resolved and checked in the thread.
    const refused = await sender.post(`http://localhost:${port}/x`, {}, 'after');
    assert.equal(refused.ok, false);
    assert.match((refused as { error: string }).error, /resolves to the gateway's own address/);
  } finally {
    await sender.close();
    await listener.close();
  }
});
