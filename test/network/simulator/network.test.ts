import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/logger.js';
import { SimulatedNetwork, SimulatorError, type SimReceipt } from '../../../src/network/simulator/network.js';
import { reassembleParts } from '../../../src/network/simulator/reassemble.js';
import { buildUserData, segmentText } from '../../../src/sms/segment.js';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';

const clock = { now: () => Date.now() };

async function withNetwork(
  options: { deliveryDelayMs?: number; retryWindowMs?: number; messageRetentionMs?: number },
  fn: (net: SimulatedNetwork, store: Store, receipts: SimReceipt[]) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sim-'));
  const store = openSqliteStore({ file: join(dir, 'db.sqlite'), synchronous: 'NORMAL' });
  await store.migrate();
  const net = new SimulatedNetwork({
    store,
    clock,
    log: createLogger('silent'),
    deliveryDelayMs: options.deliveryDelayMs ?? 0,
    retryWindowMs: options.retryWindowMs ?? 60_000,
    schedule: (_attempt, now) => now + 20,
    leaseMs: 5000,
    messageRetentionMs: options.messageRetentionMs ?? 3_600_000,
  });
  const receipts: SimReceipt[] = [];
  net.onReceipt('t', async (r) => {
    receipts.push(r);
  });
  await net.start();
  try {
    await fn(net, store, receipts);
  } finally {
    await net.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The handset's messages, all of them for these tests. */
async function received(net: SimulatedNetwork, to: string) {
  return (await net.receivedMessages(to, { limit: 1000 })).messages;
}

async function until(check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function mt(to: string, text: string, ref: string, ref8 = 7) {
  const message = segmentText(text);
  const parts = buildUserData(message, ref8);
  return { origin: 't', ref, from: '22627000', to, dataCoding: message.dataCoding, parts, udhi: parts.length > 1, wantReceipt: true };
}

test('reassembleParts orders parts by their UDH sequence, whatever order they came in', () => {
  const text = `${'Ж'.repeat(100)}😀${'z'.repeat(50)}`;
  const message = segmentText(text);
  const parts = buildUserData(message, 200);
  assert.equal(parts.length, 3);
  const shown = reassembleParts([parts[2]!, parts[0]!, parts[1]!], true, message.dataCoding);
  assert.deepEqual(shown, { text, encoding: 'UCS2', segments: 3 });
  assert.deepEqual(reassembleParts([Buffer.from('Hi!')], false, 1), { text: 'Hi!', encoding: 'GSM7', segments: 1 });
  assert.deepEqual(reassembleParts([Buffer.from([0xde, 0xad])], false, 4), { text: 'dead', encoding: 'BINARY', segments: 1 });
});

test('handsets keep their messages for the retention, then they are deleted', async () => {
  await withNetwork({ messageRetentionMs: 600 }, async (net) => {
    await net.submitMt(mt('+14255550100', 'first', 'r1'));
    await until(async () => (await received(net, '+14255550100')).length === 1);
    await new Promise((r) => setTimeout(r, 400));
    await net.submitMt(mt('+14255550101', 'second', 'r2'));
    await until(async () => (await received(net, '+14255550101')).length === 1);
    // Swept every 250 ms: the first goes 600–850 ms after it came, when the second is at most 450 ms old.
    await until(async () => (await received(net, '+14255550100')).length === 0, 2000);
    assert.equal((await received(net, '+14255550101')).length === 0, false, 'a newer message outlived the older one');
  });
});

test('an MT is delivered after the delay, with a receipt carrying the ref', async () => {
  await withNetwork({ deliveryDelayMs: 100 }, async (net, _store, receipts) => {
    const started = Date.now();
    const res = await net.submitMt(mt('+14255550100', 'hello', 'r1'));
    assert.equal(res.ok, true);
    await until(async () => (await received(net, '+14255550100')).length === 1);
    assert.ok(Date.now() - started >= 90, 'delivered before the delay');
    await until(() => receipts.length === 1);
    assert.equal(receipts[0]?.state, 'delivered');
    assert.equal(receipts[0]?.ref, 'r1');
    assert.equal(res.ok && receipts[0]?.networkId, res.ok && res.networkId);
  });
});

test('the same ref submitted twice (a retry after a crash) shows once on the handset', async () => {
  await withNetwork({}, async (net, _store, receipts) => {
    await net.submitMt(mt('+14255550101', 'once', 'same'));
    await net.submitMt(mt('+14255550101', 'once', 'same'));
    await until(() => receipts.length === 2);
    assert.equal((await received(net, '+14255550101')).length, 1);
  });
});

test('landline and off-net numbers are refused for good, switched-off handsets and a cut link for now', async () => {
  await withNetwork({}, async (net) => {
    await net.updateHandset('+14255550102', { kind: 'landline' });
    await net.updateHandset('+14255550103', { kind: 'offnet' });
    await net.updateHandset('+14255550104', { online: false });
    assert.deepEqual(await net.submitMt(mt('+14255550102', 'x', 'a')), { ok: false, kind: 'permanent', code: 'not-mobile', detail: '+14255550102 is a landline number' });
    assert.equal((await net.submitMt(mt('+14255550103', 'x', 'b'))).ok, false);
    const off = await net.submitMt(mt('+14255550104', 'x', 'c'));
    assert.ok(!off.ok && off.kind === 'temporary' && off.code === 'absent-subscriber');
    const changes: boolean[] = [];
    net.onLinkChange((up) => changes.push(up));
    net.setLinkUp(false);
    const down = await net.submitMt(mt('+14255550105', 'x', 'd'));
    assert.ok(!down.ok && down.kind === 'temporary');
    await assert.rejects(net.sendMo('+14255550105', '22627000', 'hi'), SimulatorError);
    net.setLinkUp(true);
    assert.deepEqual(changes, [false, true]);
  });
});

test('a handset switched off after the network took the MT gets it when it is back on', async () => {
  await withNetwork({ deliveryDelayMs: 150 }, async (net, _store, receipts) => {
    const ready: string[] = [];
    net.onHandsetReady((n) => ready.push(n));
    assert.equal((await net.submitMt(mt('+14255550106', 'later', 'r6'))).ok, true);
    await net.updateHandset('+14255550106', { online: false });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await received(net, '+14255550106')).length, 0);
    await net.updateHandset('+14255550106', { online: true });
    assert.deepEqual(ready, ['+14255550106']);
    await until(async () => (await received(net, '+14255550106')).length === 1);
    await until(() => receipts.length === 1);
    assert.equal(receipts[0]?.state, 'delivered');
  });
});

test('an MT whose handset stays off past the retry window expires with an expired receipt', async () => {
  await withNetwork({ deliveryDelayMs: 50, retryWindowMs: 300 }, async (net, _store, receipts) => {
    assert.equal((await net.submitMt(mt('+14255550107', 'never', 'r7'))).ok, true);
    await net.updateHandset('+14255550107', { online: false });
    await until(() => receipts.length === 1);
    assert.equal(receipts[0]?.state, 'expired');
    assert.equal((await received(net, '+14255550107')).length, 0);
  });
});

test('MO goes to the registered handler and into the handset thread', async () => {
  await withNetwork({}, async (net, store) => {
    await assert.rejects(net.sendMo('+14255550108', '22627000', 'hi'), (err: unknown) => err instanceof SimulatorError && err.code === 'no_mo_route');
    const got: string[] = [];
    net.onMo(async (mo) => {
      got.push(`${mo.from}>${mo.to}:${mo.text}`);
    });
    await net.sendMo('+14255550108', '22627000', 'hi');
    assert.deepEqual(got, ['+14255550108>22627000:hi']);
    const thread = await store.handsets.messages('+14255550108', 'MO', { limit: 10 });
    assert.deepEqual(thread.map((m) => [m.peer, m.text, m.encoding, m.segments]), [['22627000', 'hi', 'GSM7', 1]]);
  });
});
