/**
 * The session layer (SmppLink over BindKeeper/SmppSession/Window/TokenBucket) against fake SMSCs
 * over real SMPP on 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SmppError } from '../../src/network/smpp/errors.js';
import { SmppLink, type LinkOptions } from '../../src/network/smpp/link.js';
import { addressOf, type Pdu, STATUS, type SubmitSmFields } from '../../src/network/smpp/pdu.js';
import { BindErrorSmsc, type FakeSmsc, HappySmsc, NoResponseSmsc, ReceiptSendingSmsc, ThrottlingSmsc, UnbindOnSubmitSmsc } from './fake-smsc.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

// A full collection on demand, to see what the link still holds; a new context's `gc` is defined
// once the flag is set.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function linkTo(port: number, over: Partial<LinkOptions> = {}): SmppLink {
  return new SmppLink({
    name: 'test-1',
    host: '127.0.0.1',
    port,
    mode: 'transceiver',
    credentials: { systemId: 'sb', password: 'pw' },
    session: { window: 10, responseTimeoutMs: 1000, enquireLinkMs: 0 },
    throughputPerSecond: 0,
    reconnectBaseMs: 20,
    reconnectCapMs: 100,
    credentialsRetryMs: 20,
    throttleBaseMs: 20,
    throttleCapMs: 200,
    throttleGiveUpMs: 10_000,
    log: quiet,
    onDeliver: async () => STATUS.ROK,
    onStateChange: () => {},
    ...over,
  });
}

function part(text: string): SubmitSmFields {
  return {
    source: addressOf('22627000'),
    destination: addressOf('+14255550100'),
    esmClass: 0,
    dataCoding: 0,
    registeredDelivery: 1,
    shortMessage: Buffer.from(text, 'latin1'),
  };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function withSmsc<T extends FakeSmsc>(smsc: T, fn: (smsc: T) => Promise<void>): Promise<void> {
  await smsc.start();
  try {
    await fn(smsc);
  } finally {
    await smsc.stop();
  }
}

test('happy SMSC: binds as transceiver, submits return message ids, the window bounds what is in flight', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    smsc.responseDelayMs = 15;
    const link = linkTo(smsc.port, { session: { window: 4, responseTimeoutMs: 1000, enquireLinkMs: 0 } });
    link.start();
    await until(() => link.bound);
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => link.submit(part(`m${i}`))));
    assert.equal(answers.length, 25);
    assert.ok(answers.every((a) => a.status === STATUS.ROK && a.messageId !== ''));
    assert.equal(new Set(answers.map((a) => a.messageId)).size, 25);
    assert.equal(smsc.maxInFlight, 4, 'window of 4 is filled and never exceeded');
    assert.deepEqual(smsc.binds, ['bind_transceiver']);
    assert.deepEqual(smsc.submits.map((s) => s.shortMessage.toString()), Array.from({ length: 25 }, (_, i) => `m${i}`), 'sent in submit order');
    const stats = link.stats();
    assert.equal(stats.submitted, 25);
    assert.equal(stats.windowInUse, 0);
    await link.stop();
    await until(() => smsc.commands.includes('unbind'));
  });
});

test('a stop unbinds without a warning: nothing was lost', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    const warnings: string[] = [];
    const infos: string[] = [];
    const log = { ...quiet, info: (_obj: object, msg: string) => infos.push(msg), warn: (_obj: object, msg: string) => warnings.push(msg) };
    const link = linkTo(smsc.port, { mode: 'pair', log });
    link.start();
    await until(() => link.stats().bound && link.stats().receiverBound);
    await link.stop();
    // Each session ends when its socket closes, after the unbind (at most a second later).
    await until(() => infos.filter((m) => m === 'smpp unbound').length + warnings.length === 2);
    assert.deepEqual(warnings, []);
    assert.equal(link.stats().reconnects, 0);
  });
});

test('pair mode binds a transmitter and a receiver', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    const link = linkTo(smsc.port, { mode: 'pair' });
    link.start();
    await until(() => link.stats().bound && link.stats().receiverBound);
    assert.deepEqual([...smsc.binds].sort(), ['bind_receiver', 'bind_transmitter']);
    assert.equal((await link.submit(part('x'))).status, STATUS.ROK);
    await link.stop();
  });
});

test('throughput cap: 60 parts at 40/s take the burst, then the rate', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    const link = linkTo(smsc.port, { throughputPerSecond: 40 });
    link.start();
    await until(() => link.bound);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 60 }, (_, i) => link.submit(part(`t${i}`))));
    const elapsed = Date.now() - t0;
    // 40 from the full bucket, then 20 more at 40/s = 500 ms
    assert.ok(elapsed >= 450, `took ${elapsed} ms`);
    assert.ok(elapsed < 1500, `took ${elapsed} ms`);
    await link.stop();
  });
});

test('throttling SMSC: the link pauses and resends in order; nothing is lost or reported as refused', async () => {
  await withSmsc(new ThrottlingSmsc(10), async (smsc) => {
    const link = linkTo(smsc.port, { session: { window: 1, responseTimeoutMs: 1000, enquireLinkMs: 0 } });
    link.start();
    await until(() => link.bound);
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => link.submit(part(`p${String(i).padStart(2, '0')}`))));
    assert.ok(answers.every((a) => a.status === STATUS.ROK));
    assert.ok(smsc.throttledCount > 0, 'the SMSC did throttle');
    assert.deepEqual(smsc.accepted, Array.from({ length: 15 }, (_, i) => `p${String(i).padStart(2, '0')}`), 'order kept');
    assert.ok(Date.now() - t0 >= 1000, 'slowed to the SMSC rate');
    assert.ok(link.stats().throttled >= smsc.throttledCount);
    await link.stop();
  });
});

test('a window throttled at once is one pause, not one per PDU: the pause grows only when PDUs sent after it are throttled again', async () => {
  await withSmsc(new ThrottlingSmsc(10), async (smsc) => {
    // Ten throttled answers at once took the streak to ten, and the pause to its cap (10 s here).
    const link = linkTo(smsc.port, { throttleBaseMs: 100, throttleCapMs: 10_000 });
    link.start();
    await until(() => link.bound);
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => link.submit(part(`w${String(i).padStart(2, '0')}`))));
    const elapsed = Date.now() - t0;
    assert.ok(answers.every((a) => a.status === STATUS.ROK));
    assert.ok(smsc.throttledCount >= 10, `the SMSC throttled ${smsc.throttledCount}`);
    assert.deepEqual(smsc.accepted, Array.from({ length: 30 }, (_, i) => `w${String(i).padStart(2, '0')}`), 'order kept');
    // 30 at 10 a second: about three seconds (a pause per PDU would be past ten; a loaded machine adds a second or two).
    assert.ok(elapsed < 7000, `took ${elapsed} ms`);
    await link.stop();
  });
});

test('a throttled PDU is handed back after throttleGiveUpMs, as the SMSC status', async () => {
  await withSmsc(new ThrottlingSmsc(0), async (smsc) => {
    const link = linkTo(smsc.port, { throttleGiveUpMs: 150 });
    link.start();
    await until(() => link.bound);
    const answer = await link.submit(part('never'));
    assert.equal(answer.status, STATUS.RTHROTTLED);
    await link.stop();
  });
});

test('a submit not written by its sendBy is handed back LINK_BUSY, unsent; one written in time is answered', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    // One part a second: the second waits a second for its token, past its sendBy.
    const link = linkTo(smsc.port, { throughputPerSecond: 1 });
    link.start();
    await until(() => link.bound);
    const t0 = Date.now();
    const [first, second] = await Promise.allSettled([link.submit(part('in time'), t0 + 300), link.submit(part('too late'), t0 + 300)]);
    assert.equal(first.status === 'fulfilled' && first.value.status, STATUS.ROK);
    assert.ok(second.status === 'rejected' && second.reason instanceof SmppError && second.reason.code === 'LINK_BUSY');
    assert.ok(Date.now() - t0 < 900, 'handed back at its sendBy, not when a token came');
    assert.deepEqual(smsc.submits.map((s) => s.shortMessage.toString()), ['in time']);
    assert.equal(link.stats().queued, 0);
    // The one handed back took no token: the next part goes with the next one, a second after the first.
    assert.equal((await link.submit(part('next'))).status, STATUS.ROK);
    assert.ok(Date.now() - t0 < 1600, `next sent after ${Date.now() - t0} ms`);
    await link.stop();
  });
});

test('a submit that waited in the queue is let go once answered, long before its sendBy', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    // A window of 1: every submit but the first waits in the queue, with its send-by timer armed.
    const link = linkTo(smsc.port, { session: { window: 1, responseTimeoutMs: 1000, enquireLinkMs: 0 } });
    link.start();
    await until(() => link.bound);
    const sent = Array.from({ length: 20 }, (_, i) => part(`m${i}`));
    const kept = sent.map((fields) => new WeakRef(fields));
    const answers = await Promise.all(sent.splice(0).map((fields) => link.submit(fields, Date.now() + 60_000)));
    assert.ok(answers.every((a) => a.status === STATUS.ROK));
    // A WeakRef's target stays alive until the turn that made it ends.
    await new Promise((r) => setImmediate(r));
    collectGarbage();
    assert.equal(kept.filter((ref) => ref.deref() !== undefined).length, 0, 'the link holds no answered submit until its sendBy');
    await link.stop();
  });
});

test('a throttling pause does not hold submits past their sendBy: the one throttled and the one never written both come back LINK_BUSY', async () => {
  await withSmsc(new ThrottlingSmsc(0), async (smsc) => {
    // The first throttled answer pauses the link for 2 s; both are due back long before.
    const link = linkTo(smsc.port, { session: { window: 1, responseTimeoutMs: 1000, enquireLinkMs: 0 }, throttleBaseMs: 2000, throttleCapMs: 2000 });
    link.start();
    await until(() => link.bound);
    const t0 = Date.now();
    const results = await Promise.allSettled([link.submit(part('a'), t0 + 300), link.submit(part('b'), t0 + 300)]);
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof SmppError && r.reason.code === 'LINK_BUSY'));
    assert.ok(Date.now() - t0 < 900, 'handed back at their sendBy, not at the end of the pause');
    assert.equal(smsc.throttledCount, 1, 'only the first was written, once');
    await link.stop();
  });
});

test('a PDU throttled after its sendBy is handed back as the SMSC status, not queued again', async () => {
  class SlowThrottlingSmsc extends HappySmsc {
    protected override onSubmit(session: Parameters<HappySmsc['onSubmit']>[0], pdu: Pdu): void {
      setTimeout(() => session.respond(pdu, STATUS.RTHROTTLED), 200);
    }
  }
  await withSmsc(new SlowThrottlingSmsc(), async (smsc) => {
    const link = linkTo(smsc.port, { throttleBaseMs: 20, throttleCapMs: 20 });
    link.start();
    await until(() => link.bound);
    const answer = await link.submit(part('late'), Date.now() + 100);
    assert.equal(answer.status, STATUS.RTHROTTLED);
    assert.equal(smsc.submits.length, 1);
    await link.stop();
  });
});

test('unbind from the SMSC mid-window: in-flight submits rejected at once, the link rebinds', async () => {
  await withSmsc(new UnbindOnSubmitSmsc(), async (smsc) => {
    const states: boolean[] = [];
    const link = linkTo(smsc.port, { onStateChange: (up) => states.push(up) });
    link.start();
    await until(() => link.bound);
    const t0 = Date.now();
    await assert.rejects(link.submit(part('first')), (err: unknown) => err instanceof SmppError && err.code === 'CONNECTION_CLOSED');
    assert.ok(Date.now() - t0 < 500, 'rejected on close, not at the response timeout');
    await until(() => link.bound);
    assert.equal((await link.submit(part('second'))).status, STATUS.ROK);
    assert.deepEqual(states, [true, false, true]);
    assert.equal(link.stats().reconnects, 1);
    await link.stop();
  });
});

test('no-response SMSC: the window times out, the silent session is dropped, what was queued is handed back unsent, the link binds again', async () => {
  await withSmsc(new NoResponseSmsc(), async (smsc) => {
    const link = linkTo(smsc.port, { session: { window: 2, responseTimeoutMs: 100, enquireLinkMs: 0 } });
    link.start();
    await until(() => link.bound);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => link.submit(part(`x${i}`))));
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof SmppError), 'every submit fails (temporary)');
    assert.equal(smsc.submits.length, 2, 'only the window in flight was written; the queued three were not fed to a silent SMSC');
    assert.ok(results.slice(2).every((r) => r.status === 'rejected' && (r.reason as SmppError).code === 'LINK_DOWN'));
    assert.equal(link.stats().windowInUse, 0);
    await until(() => link.bound && smsc.binds.length === 2);
    await link.stop();
  });
});

test('a slow SMSC that still answers something keeps its session: only a silent one is dropped', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    // Each answer takes 60 ms with a 100 ms timeout: nothing times out, the session stays.
    smsc.responseDelayMs = 60;
    const link = linkTo(smsc.port, { session: { window: 2, responseTimeoutMs: 100, enquireLinkMs: 0 } });
    link.start();
    await until(() => link.bound);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => link.submit(part(`s${i}`))));
    assert.ok(answers.every((a) => a.status === STATUS.ROK));
    assert.deepEqual(smsc.binds, ['bind_transceiver']);
    await link.stop();
  });
});

test('SMSC killed mid-window: everything in flight is rejected, the link reconnects when it is back', async () => {
  const smsc = await new NoResponseSmsc().start();
  const port = smsc.port;
  const link = linkTo(port, { session: { window: 5, responseTimeoutMs: 5000, enquireLinkMs: 0 } });
  link.start();
  await until(() => link.bound);
  const pending = Promise.allSettled([1, 2, 3, 4, 5, 6, 7].map((i) => link.submit(part(`k${i}`))));
  await until(() => smsc.submits.length === 5);
  await smsc.stop();
  const results = await pending;
  assert.equal(results.filter((r) => r.status === 'rejected' && (r.reason as SmppError).code === 'CONNECTION_CLOSED').length, 5);
  assert.equal(results.filter((r) => r.status === 'rejected' && (r.reason as SmppError).code === 'LINK_DOWN').length, 2);
  assert.equal(link.bound, false);
  await assert.rejects(link.submit(part('while down')), (err: unknown) => err instanceof SmppError && err.code === 'LINK_DOWN');
  const again = await new HappySmsc().start(port);
  await until(() => link.bound);
  assert.equal((await link.submit(part('back'))).status, STATUS.ROK);
  await link.stop();
  await again.stop();
});

test('bind error: the link stays down, says why, and keeps trying', async () => {
  await withSmsc(new BindErrorSmsc(STATUS.RBINDFAIL), async (smsc) => {
    const link = linkTo(smsc.port);
    link.start();
    await until(() => smsc.binds.length >= 3);
    assert.equal(link.bound, false);
    assert.match(link.stats().lastError ?? '', /ESME_RBINDFAIL/);
    await assert.rejects(link.submit(part('x')), (err: unknown) => err instanceof SmppError && err.code === 'LINK_DOWN');
    await link.stop();
  });
});

for (const status of [STATUS.RINVPASWD, STATUS.RINVSYSID, STATUS.RINVSYSTYP]) {
  test(`credentials refused (0x${status.toString(16)}): logged as an error and retried on the slow schedule, not the reconnect one`, async () => {
    await withSmsc(new BindErrorSmsc(status), async (smsc) => {
      const errors: { retryMs: number }[] = [];
      const warnings: object[] = [];
      const link = linkTo(smsc.port, {
        credentialsRetryMs: 400,
        log: { info: () => {}, warn: (obj) => warnings.push(obj), error: (obj) => errors.push(obj as { retryMs: number }) },
      });
      link.start();
      await until(() => smsc.binds.length >= 1);
      // The reconnect schedule (20–100 ms) would have tried several times by now.
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(smsc.binds.length, 1);
      await until(() => smsc.binds.length >= 2, 2000);
      assert.equal(link.bound, false);
      assert.ok(errors.length >= 1);
      assert.equal(warnings.length, 0, 'a refusal of the credentials is an error, not a warning');
      assert.ok(errors[0] !== undefined && errors[0].retryMs >= 200 && errors[0].retryMs < 400, `first retry after ${errors[0]?.retryMs} ms`);
      assert.ok(errors[1] === undefined || errors[1].retryMs >= 400, 'the retries back off');
      await link.stop();
    });
  });
}

test('deliver_sm: answered after the handler; a failing handler answers ESME_RX_T_APPN so the SMSC redelivers', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    let fail = false;
    const seen: Pdu[] = [];
    const link = linkTo(smsc.port, {
      onDeliver: async (pdu) => {
        seen.push(pdu);
        if (fail) throw new Error('store down');
        return STATUS.ROK;
      },
    });
    link.start();
    await until(() => link.bound);
    const fields = { source: addressOf('+14255550100'), destination: addressOf('22627000'), esmClass: 0, dataCoding: 0, shortMessage: Buffer.from('hi') };
    assert.deepEqual((await smsc.deliver(fields)).map((r) => r.command_status), [STATUS.ROK]);
    fail = true;
    assert.deepEqual((await smsc.deliver(fields)).map((r) => r.command_status), [STATUS.RX_T_APPN]);
    assert.equal(seen.length, 2);
    await link.stop();
  });
});

test('receipts sent before the submit_sm_resp reach the handler in wire order', async () => {
  await withSmsc(new ReceiptSendingSmsc('before'), async (smsc) => {
    const events: string[] = [];
    const link = linkTo(smsc.port, {
      onDeliver: async () => {
        events.push('receipt');
        return STATUS.ROK;
      },
    });
    link.start();
    await until(() => link.bound);
    await link.submit(part('fast handset')).then(() => events.push('resp'));
    await until(() => smsc.receiptResponses.length === 1);
    assert.deepEqual(events, ['receipt', 'resp']);
    await link.stop();
  });
});

test('enquire_link both ways: answered for the SMSC, sent after silence', async () => {
  await withSmsc(new HappySmsc(), async (smsc) => {
    const link = linkTo(smsc.port, { session: { window: 10, responseTimeoutMs: 500, enquireLinkMs: 40 } });
    link.start();
    await until(() => link.bound);
    const session = [...smsc.sessions][0];
    assert.ok(session);
    await until(() => session.peerEnquireLinks >= 2);
    // the SMSC's own enquire_link is answered by the ESME's session
    const { newPdu } = await import('../../src/network/smpp/pdu.js');
    const resp = await session.request(newPdu('enquire_link'), true);
    assert.equal(resp.command, 'enquire_link_resp');
    await link.stop();
  });
});

test('a PDU that does not parse closes the connection and the link reconnects', async () => {
  let connections = 0;
  const sockets: Socket[] = [];
  // Speaks just enough SMPP to bind, then sends a PDU whose command_length is absurd.
  const server = createServer((socket) => {
    connections++;
    sockets.push(socket);
    socket.once('data', (data) => {
      const seq = data.readUInt32BE(12);
      const resp = Buffer.alloc(16 + 5);
      resp.writeUInt32BE(21, 0);
      resp.writeUInt32BE(0x80000009, 4);
      resp.writeUInt32BE(0, 8);
      resp.writeUInt32BE(seq, 12);
      resp.write('fake\0', 16, 'latin1');
      socket.write(resp);
      if (connections === 1) {
        const bad = Buffer.alloc(16);
        bad.writeUInt32BE(0x7fffffff, 0);
        setTimeout(() => socket.write(bad), 20);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const link = linkTo(port, { session: { window: 10, responseTimeoutMs: 200, enquireLinkMs: 0 } });
  link.start();
  await until(() => link.bound);
  await until(() => connections === 2 && link.bound);
  assert.equal(link.stats().reconnects, 1);
  await link.stop();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
