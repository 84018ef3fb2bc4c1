/**
 * The `Connector` port's contract, for every implementation (style.md: one contract suite per
 * port). `runConnectorContract` takes a factory for a started connector over some network and a
 * way to read what a handset received; each implementation's test file calls it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connector, Receipt } from '../../../src/network/connector.js';

export interface ConnectorHarness {
  readonly connector: Connector;
  /** Receipts handed to `onReceipt`, in order. */
  readonly receipts: Receipt[];
  /** Texts the handset `to` received, oldest first. */
  received(to: string): Promise<string[]>;
  close(): Promise<void>;
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let seq = 0;

export function runConnectorContract(name: string, make: () => Promise<ConnectorHarness>): void {
  const request = (to: string, text: string, encoding: 'GSM7' | 'LATIN1' | 'UCS2', segments: number, wantReceipt = true) => ({
    recipientId: `${name}-r${++seq}`,
    messageId: `SMS${seq}`,
    from: '22627000',
    to,
    text,
    encoding,
    segments,
    wantReceipt,
  });

  test(`${name}: up after start; a message reaches the handset and one delivered receipt names its recipient`, async (t) => {
    const h = await make();
    t.after(() => h.close());
    await until(() => h.connector.isUp(), 'connector up');
    const r = request('+14255550811', 'contract: hello', 'GSM7', 1);
    const result = await h.connector.submit(r);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.ok(result.ok && result.networkId.length > 0);
    await until(async () => (await h.received(r.to)).length === 1, 'handset got it');
    assert.deepEqual(await h.received(r.to), ['contract: hello']);
    await until(() => h.receipts.some((x) => x.recipientId === r.recipientId), 'the receipt');
    const mine = h.receipts.filter((x) => x.recipientId === r.recipientId);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.state, 'delivered');
    assert.ok(result.ok && mine[0]?.networkId === result.networkId);
  });

  test(`${name}: a three-part UCS-2 message arrives whole, with one final receipt`, async (t) => {
    const h = await make();
    t.after(() => h.close());
    await until(() => h.connector.isUp(), 'connector up');
    const text = 'Ünïcödé → ✓ three parts please. '.repeat(5);
    const r = request('+14255550812', text, 'UCS2', 3);
    assert.equal((await h.connector.submit(r)).ok, true);
    await until(async () => (await h.received(r.to)).length === 1, 'handset got it');
    assert.deepEqual(await h.received(r.to), [text]);
    await until(() => h.receipts.some((x) => x.recipientId === r.recipientId), 'the receipt');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(h.receipts.filter((x) => x.recipientId === r.recipientId).length, 1);
  });

  test(`${name}: no receipt when none is wanted`, async (t) => {
    const h = await make();
    t.after(() => h.close());
    await until(() => h.connector.isUp(), 'connector up');
    const r = request('+14255550813', 'contract: no receipt', 'GSM7', 1, false);
    assert.equal((await h.connector.submit(r)).ok, true);
    await until(async () => (await h.received(r.to)).length === 1, 'handset got it');
    await new Promise((res) => setTimeout(res, 300));
    assert.deepEqual(h.receipts.filter((x) => x.recipientId === r.recipientId), []);
  });
}
