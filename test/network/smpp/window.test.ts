import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppError } from '../../../src/network/smpp/errors.js';
import { Window } from '../../../src/network/smpp/window.js';

test('slots: open takes one, settle frees it, a full window refuses', async () => {
  const w = new Window<string>(2);
  const a = w.open(1, { command: 'submit_sm', timeoutMs: 0 });
  const b = w.open(2, { command: 'submit_sm', timeoutMs: 0 });
  assert.equal(w.inUse, 2);
  assert.equal(w.hasRoom(), false);
  assert.throws(() => w.open(3, { command: 'submit_sm', timeoutMs: 0 }), /window full/);
  assert.equal(w.settle(2, 'resp-2'), true);
  assert.equal(await b, 'resp-2');
  assert.equal(w.inUse, 1);
  assert.equal(w.hasRoom(), true);
  assert.equal(w.settle(1, 'resp-1'), true);
  assert.equal(await a, 'resp-1');
  assert.equal(w.inUse, 0);
});

test('a response nobody waits for (late, unknown, twice) is reported, not applied', async () => {
  const w = new Window<string>(1);
  const a = w.open(7, { command: 'submit_sm', timeoutMs: 0 });
  assert.equal(w.settle(8, 'x'), false);
  assert.equal(w.settle(7, 'ok'), true);
  assert.equal(w.settle(7, 'again'), false);
  assert.equal(await a, 'ok');
});

test('the same sequence cannot be open twice', () => {
  const w = new Window<string>(3);
  void w.open(1, { command: 'submit_sm', timeoutMs: 0 }).catch(() => {});
  assert.throws(() => w.open(1, { command: 'submit_sm', timeoutMs: 0 }), /already in flight/);
  w.failAll(new Error('done'));
});

test('per-PDU timeout rejects that PDU only and frees its slot', async () => {
  const w = new Window<string>(2);
  const timedOut: number[] = [];
  const slow = w.open(1, { command: 'submit_sm', timeoutMs: 20, onTimeout: (s) => timedOut.push(s) });
  const fast = w.open(2, { command: 'submit_sm', timeoutMs: 1000 });
  await assert.rejects(slow, (err: unknown) => err instanceof SmppError && err.code === 'RESPONSE_TIMEOUT');
  assert.deepEqual(timedOut, [1]);
  assert.equal(w.inUse, 1);
  assert.equal(w.settle(1, 'late'), false);
  w.settle(2, 'ok');
  assert.equal(await fast, 'ok');
});

test('failAll rejects everything in flight, control entries included, and empties the window', async () => {
  const w = new Window<string>(3);
  const ps = [1, 2, 3].map((s) => w.open(s, { command: 'submit_sm', timeoutMs: 0 }));
  const ping = w.open(4, { command: 'enquire_link', timeoutMs: 0, control: true });
  assert.equal(w.pending, 4);
  assert.equal(w.failAll(new SmppError('CONNECTION_CLOSED', 'gone')), 4);
  for (const p of [...ps, ping]) await assert.rejects(p, /gone/);
  assert.equal(w.inUse, 0);
  assert.equal(w.pending, 0);
});

test('control entries do not take a slot: keep-alive passes a full window', async () => {
  const w = new Window<string>(1);
  const a = w.open(1, { command: 'submit_sm', timeoutMs: 0 });
  const ping = w.open(2, { command: 'enquire_link', timeoutMs: 0, control: true });
  assert.equal(w.inUse, 1);
  w.settle(2, 'pong');
  assert.equal(await ping, 'pong');
  assert.equal(w.inUse, 1);
  w.settle(1, 'ok');
  await a;
});

test('sizes below 1 are refused', () => {
  assert.throws(() => new Window(0), RangeError);
});
