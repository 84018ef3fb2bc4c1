/**
 * The SMPP connector's tables through `SmppRepo`, on the store of a real test gateway (so the
 * runner takes this file through both SQLite and PostgreSQL, like every startTestGateway suite).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { idKeys } from '../../src/network/smpp/ids.js';
import type { SmppRepo } from '../../src/store/repos/smpp.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let repo: SmppRepo;

before(async () => {
  gw = await startTestGateway();
  repo = gw.gateway.ctx.store.smpp;
});
after(() => gw.close());

async function part(recipientId: string, n: number, smscId: string, at = 1000) {
  const k = idKeys(smscId);
  await repo.recordPart({ recipientId, part: n, smscId, idKey: k.key, idDec: k.dec, idHex: k.hex, submittedAt: at });
}

test('openMessage is idempotent: the first concatenation reference stays', async () => {
  const a = await repo.openMessage({ recipientId: 'r-open', messageId: 'm1', total: 3, concatRef: 17, createdAt: 1 });
  const b = await repo.openMessage({ recipientId: 'r-open', messageId: 'm1', total: 3, concatRef: 99, createdAt: 2 });
  assert.equal(a.concatRef, 17);
  assert.equal(b.concatRef, 17);
  assert.equal(b.createdAt, 1);
});

test('a single-part message is opened with its accepted part, in one write; a resend keeps its row', async () => {
  const accepted = (smscId: string) => {
    const k = idKeys(smscId);
    return { recipientId: 'r-single', part: 1, smscId, idKey: k.key, idDec: k.dec, idHex: k.hex, submittedAt: 5 };
  };
  const opening = (createdAt: number) => ({ recipientId: 'r-single', messageId: 'm0', total: 1, concatRef: 0, createdAt });
  await repo.recordPart(accepted('5001'), opening(4));
  const m = await repo.message('r-single');
  assert.deepEqual([m?.message.messageId, m?.message.total, m?.message.createdAt], ['m0', 1, 4]);
  assert.deepEqual(m?.parts.map((p) => [p.part, p.smscId, p.state]), [[1, '5001', 'submitted']]);
  await repo.recordPart(accepted('5002'), opening(9));
  const again = await repo.message('r-single');
  assert.equal(again?.message.createdAt, 4, 'the row stays as first opened');
  assert.deepEqual(again?.parts.map((p) => p.smscId), ['5002']);
  assert.deepEqual(await repo.findExactParts(['5001']), [], 'the id it was first accepted with no longer finds it');
  assert.deepEqual((await repo.findExactParts(['5002'])).map((p) => [p.recipientId, p.smscId]), [['r-single', '5002']]);
});

test('parts are found by any of their three keys; a resubmitted part takes its new id', async () => {
  await repo.openMessage({ recipientId: 'r-keys', messageId: 'm2', total: 2, concatRef: 1, createdAt: 1 });
  await part('r-keys', 1, '00B8BE19');
  await part('r-keys', 2, '870928761');
  assert.deepEqual((await repo.findParts(['b8be19'])).map((p) => p.part), [1]);
  assert.deepEqual((await repo.findParts(['12107289'])).map((p) => p.part), [1], 'hex id read as decimal');
  assert.deepEqual((await repo.findParts(['33e95179'])).map((p) => p.part), [2], 'decimal id read as hex');
  assert.deepEqual((await repo.findExactParts(['b8be19'])).map((p) => p.part), [1]);
  assert.deepEqual(await repo.findExactParts(['12107289']), [], 'an exact match only');
  assert.deepEqual((await repo.findExactParts(['b8be19', '870928761'])).map((p) => p.part).sort(), [1, 2]);
  await part('r-keys', 2, '42');
  assert.deepEqual(await repo.findParts(['870928761']), []);
  assert.equal((await repo.message('r-keys'))?.parts[1]?.smscId, '42');
  assert.deepEqual(await repo.findParts([]), []);
});

test('applyReceipt: a final state is never replaced; an intermediate one only replaces "submitted"', async () => {
  await repo.openMessage({ recipientId: 'r-apply', messageId: 'm3', total: 1, concatRef: 0, createdAt: 1 });
  await part('r-apply', 1, 'a1');
  await repo.applyReceipt('r-apply', 1, 'enroute', null, 10);
  assert.equal((await repo.message('r-apply'))?.parts[0]?.state, 'enroute');
  await repo.applyReceipt('r-apply', 1, 'undeliverable', '034', 20);
  await repo.applyReceipt('r-apply', 1, 'delivered', null, 30);
  await repo.applyReceipt('r-apply', 1, 'enroute', null, 40);
  const m = await repo.message('r-apply');
  assert.equal(m?.parts[0]?.state, 'undeliverable');
  assert.equal(m?.parts[0]?.errorCode, '034');
  assert.equal(m?.message.lastReceiptAt, 40);
});

test('finalise happens once', async () => {
  await repo.openMessage({ recipientId: 'r-final', messageId: 'm4', total: 1, concatRef: 0, createdAt: 1 });
  assert.equal(await repo.finalise('r-final', 'delivered', 5), true);
  assert.equal(await repo.finalise('r-final', 'undeliverable', 6), false);
  assert.equal((await repo.message('r-final'))?.message.finalState, 'delivered');
});

test('a found part carries its message total and whether it is final; settle records the part and the message once', async () => {
  const k = idKeys('5e77');
  await repo.recordPart({ recipientId: 'r-settle', part: 1, smscId: '5e77', idKey: k.key, idDec: k.dec, idHex: k.hex, submittedAt: 2 }, { recipientId: 'r-settle', messageId: 'm6', total: 1, concatRef: 0, createdAt: 1 });
  assert.deepEqual((await repo.findParts(['5e77'])).map((p) => [p.recipientId, p.total, p.messageFinal]), [['r-settle', 1, false]]);
  assert.equal(await repo.settle('r-settle', 1, 'undeliverable', '034', 30), true);
  assert.equal(await repo.settle('r-settle', 1, 'delivered', null, 40), false);
  const m = await repo.message('r-settle');
  assert.deepEqual([m?.message.finalState, m?.message.finalAt, m?.message.lastReceiptAt], ['undeliverable', 30, 30]);
  assert.deepEqual(m?.parts.map((p) => [p.state, p.errorCode, p.receiptAt]), [['undeliverable', '034', 30]]);
  assert.deepEqual((await repo.findParts(['5e77'])).map((p) => [p.total, p.messageFinal]), [[1, true]]);
  await part('r-orphan', 1, 'orph');
  assert.deepEqual((await repo.findParts(['orph'])).map((p) => [p.recipientId, p.total, p.messageFinal]), [['r-orphan', null, false]], 'a part without a message row');
});

test('a single-part message awaiting its receipt is found by its exact id as the store has it, and as final once settled', async () => {
  const k = idKeys('A1B2');
  const record = { recipientId: 'r-await', part: 1, smscId: 'A1B2', idKey: k.key, idDec: k.dec, idHex: k.hex, submittedAt: 7 };
  await repo.recordPart(record, { recipientId: 'r-await', messageId: 'm9', total: 1, concatRef: 0, createdAt: 6 });
  const fromStore = await repo.findParts(['a1b2']);
  assert.deepEqual(await repo.findExactParts(['a1b2']), fromStore, 'the same part, total and state as the store answers');
  assert.deepEqual(fromStore.map((p) => [p.recipientId, p.total, p.state, p.messageFinal]), [['r-await', 1, 'submitted', false]]);
  assert.equal(await repo.settle('r-await', 1, 'delivered', null, 50), true);
  assert.deepEqual((await repo.findExactParts(['a1b2'])).map((p) => [p.state, p.messageFinal]), [['delivered', true]], 'a repeat of the receipt finds it final');
  // A part sent again takes its new id: the first one no longer finds it.
  const first = idKeys('E5F6');
  await repo.recordPart({ recipientId: 'r-await-again', part: 1, smscId: 'E5F6', idKey: first.key, idDec: first.dec, idHex: first.hex, submittedAt: 8 }, { recipientId: 'r-await-again', messageId: 'm11', total: 1, concatRef: 0, createdAt: 8 });
  await part('r-await-again', 1, 'E5F7', 9);
  assert.deepEqual(await repo.findExactParts(['e5f6']), []);
  assert.deepEqual((await repo.findExactParts(['e5f7'])).map((p) => p.recipientId), ['r-await-again']);
  // A message whose record the prune takes is not found either (an open single-part one waits to
  // be settled as uncertain: the prune takes it once that is final too).
  const old = idKeys('C3D4');
  await repo.recordPart({ recipientId: 'r-await-old', part: 1, smscId: 'C3D4', idKey: old.key, idDec: old.dec, idHex: old.hex, submittedAt: 3 }, { recipientId: 'r-await-old', messageId: 'm10', total: 1, concatRef: 0, createdAt: 2 });
  assert.equal((await repo.findExactParts(['c3d4'])).length, 1);
  await repo.prune(0, 3, 500);
  assert.equal((await repo.findExactParts(['c3d4'])).length, 1, 'open with its part accepted: kept');
  await repo.finalise('r-await-old', 'uncertain', 4);
  await repo.prune(5, 3, 500);
  assert.deepEqual(await repo.findExactParts(['c3d4']), []);
});

test('concurrent submits and receipts each record, find and settle their own part', async () => {
  // Many at once: on PostgreSQL they share statements (see coalesce.ts), which must not mix them up.
  const ids = Array.from({ length: 24 }, (_, i) => `r-many-${i}`);
  const smscId = (i: number) => `c0ffee${String(i).padStart(2, '0')}`;
  const record = (i: number, smsc = smscId(i), at = 2) => {
    const k = idKeys(smsc);
    const id = ids[i] ?? '';
    return repo.recordPart({ recipientId: id, part: 1, smscId: smsc, idKey: k.key, idDec: k.dec, idHex: k.hex, submittedAt: at }, { recipientId: id, messageId: `mm${i}`, total: 1, concatRef: 0, createdAt: 1 });
  };
  // The last two record a part already in the batch (a resubmit racing its first try): each lands.
  await Promise.all([...ids.map((_, i) => record(i)), record(3, 'c0ffee9903', 3), record(3, 'c0ffee9904', 4)]);
  const stored = await repo.message(ids[3] ?? '');
  assert.equal(stored?.parts.length, 1);
  const found = await Promise.all(ids.map((_, i) => repo.findExactParts([idKeys(i === 3 ? (stored?.parts[0]?.smscId ?? '') : smscId(i)).key])));
  assert.deepEqual(
    found.map((parts) => parts.map((p) => [p.recipientId, p.total, p.messageFinal])),
    ids.map((id) => [[id, 1, false]]),
  );
  const settled = await Promise.all([...ids.map((id, i) => repo.settle(id, 1, i % 2 === 0 ? 'delivered' : 'undeliverable', i % 2 === 0 ? null : '034', 50 + i)), repo.settle(ids[0] ?? '', 1, 'expired', null, 99)]);
  assert.deepEqual(settled, [...ids.map(() => true), false], 'each settled once');
  const after = await Promise.all(ids.map((id) => repo.message(id)));
  assert.deepEqual(
    after.map((m) => [m?.message.finalState, m?.message.finalAt, m?.parts[0]?.state, m?.parts[0]?.errorCode]),
    ids.map((_, i) => (i % 2 === 0 ? ['delivered', 50 + i, 'delivered', null] : ['undeliverable', 50 + i, 'undeliverable', '034'])),
  );
});

test('stalled: open, every part accepted, one delivered, quiet since before', async () => {
  await repo.openMessage({ recipientId: 'r-stall', messageId: 'm5', total: 2, concatRef: 3, createdAt: 1 });
  await part('r-stall', 1, 's1');
  await repo.applyReceipt('r-stall', 1, 'delivered', null, 100);
  assert.deepEqual((await repo.stalled(1000, 10)).map((m) => m.recipientId).filter((r) => r === 'r-stall'), [], 'part 2 not accepted yet');
  await part('r-stall', 2, 's2');
  assert.deepEqual((await repo.stalled(50, 10)).map((m) => m.recipientId).filter((r) => r === 'r-stall'), [], 'not quiet long enough');
  assert.deepEqual((await repo.stalled(1000, 10)).map((m) => m.recipientId).filter((r) => r === 'r-stall'), ['r-stall']);
});

test('overdue: open, every part accepted, opened before, oldest first; settled as uncertain it is final', async () => {
  const overdue = async (before: number) => (await repo.overdue(before, 100)).map((m) => m.recipientId).filter((r) => r.startsWith('o-'));
  await repo.openMessage({ recipientId: 'o-two', messageId: 'm20', total: 2, concatRef: 4, createdAt: 40 });
  await part('o-two', 1, 'o21');
  const k = idKeys('o11');
  await repo.recordPart({ recipientId: 'o-one', part: 1, smscId: 'o11', idKey: k.key, idDec: k.dec, idHex: k.hex, submittedAt: 30 }, { recipientId: 'o-one', messageId: 'm21', total: 1, concatRef: 0, createdAt: 30 });
  await part('o-young', 1, 'o31');
  await repo.openMessage({ recipientId: 'o-young', messageId: 'm22', total: 1, concatRef: 0, createdAt: 5000 });
  assert.deepEqual(await overdue(1000), ['o-one'], 'o-two: part 2 never accepted; o-young: opened after');
  await part('o-two', 2, 'o22');
  assert.deepEqual(await overdue(1000), ['o-one', 'o-two']);
  assert.deepEqual(await overdue(35), ['o-one']);
  assert.equal(await repo.finalise('o-one', 'uncertain', 2000), true);
  assert.equal(await repo.finalise('o-one', 'delivered', 2001), false, 'a later receipt does not replace it');
  assert.deepEqual(await overdue(1000), ['o-two']);
  assert.deepEqual((await repo.findExactParts(['o11'])).map((p) => [p.recipientId, p.messageFinal]), [['o-one', true]], 'a late receipt finds it final');
  assert.equal((await repo.message('o-one'))?.message.finalState, 'uncertain');
});

test('held receipts: held, released, or given up and counted', async () => {
  const base = { state: 'delivered' as const, stat: 'DELIVRD', final: true, errorCode: null, receiptAt: 1, attempts: 0 };
  await repo.hold({ ...base, id: 'h1', ids: ['x1', '0x1'], heldAt: 10 });
  await repo.hold({ ...base, id: 'h2', ids: ['x2'], heldAt: 20 });
  await repo.hold({ ...base, id: 'h2', ids: ['x2'], heldAt: 20 });
  assert.deepEqual((await repo.held(10)).map((h) => [h.id, h.ids]), [['h1', ['x1', '0x1']], ['h2', ['x2']]]);
  // Read in pages, oldest first, ties by id (what another instance's tracker adopts).
  await repo.hold({ ...base, id: 'h0', ids: ['x0'], heldAt: 20 });
  assert.deepEqual((await repo.held(2)).map((h) => h.id), ['h1', 'h0']);
  assert.deepEqual((await repo.held(2, { heldAt: 20, id: 'h0' })).map((h) => h.id), ['h2']);
  assert.deepEqual(await repo.held(2, { heldAt: 20, id: 'h2' }), []);
  await repo.release('h0');
  assert.deepEqual(await repo.counts(), { held: 2, unmatched: 0 });
  await repo.release('h1');
  assert.equal(await repo.markUnmatched('h2', 30), true);
  assert.equal(await repo.markUnmatched('h2', 31), false, 'given up once (another instance may try too)');
  assert.deepEqual(await repo.held(10), []);
  assert.deepEqual(await repo.counts(), { held: 0, unmatched: 1 });
});

test('prune: final messages after finalBefore, open ones missing a part after openBefore, with their parts', async () => {
  await repo.openMessage({ recipientId: 'p-final', messageId: 'm6', total: 1, concatRef: 0, createdAt: 100 });
  await part('p-final', 1, 'pf1');
  await repo.finalise('p-final', 'delivered', 200);
  await repo.openMessage({ recipientId: 'p-open', messageId: 'm7', total: 2, concatRef: 0, createdAt: 100 });
  await part('p-open', 1, 'po1');
  await repo.openMessage({ recipientId: 'p-overdue', messageId: 'm12', total: 1, concatRef: 0, createdAt: 100 });
  await part('p-overdue', 1, 'pv1');
  await repo.openMessage({ recipientId: 'p-young', messageId: 'm8', total: 1, concatRef: 0, createdAt: 10_000 });
  await repo.prune(150, 50, 500);
  assert.ok(await repo.message('p-final'), 'went final after finalBefore: kept');
  assert.ok(await repo.message('p-open'), 'created after openBefore: kept');
  // In batches: one at a time here, each call saying whether it found one.
  let batches = 0;
  while ((await repo.prune(201, 5000, 1)) === 1) batches++;
  assert.ok(batches >= 2, `batches ${batches}`);
  assert.equal(await repo.message('p-final'), undefined);
  assert.equal(await repo.message('p-open'), undefined, 'part 2 never accepted: dispatch gave it up');
  assert.ok(await repo.message('p-overdue'), 'every part accepted: kept to be settled as uncertain');
  assert.ok(await repo.message('p-young'));
  assert.deepEqual(await repo.findParts(['pf1', 'po1']), []);
});

test('nextConcatRef: consecutive per destination, wrapping at 256; destinations apart', async () => {
  const to = '+14255550710';
  const first = await repo.nextConcatRef(to, 1);
  assert.ok(Number.isInteger(first) && first >= 0 && first < 256, `first ${first}`);
  const other = await repo.nextConcatRef('+14255550711', 2);
  const taken = [first];
  for (let i = 1; i <= 256; i++) taken.push(await repo.nextConcatRef(to, 2 + i));
  assert.deepEqual(taken, Array.from({ length: 257 }, (_v, i) => (first + i) % 256), 'the one after the last, wrapping');
  assert.equal(await repo.nextConcatRef('+14255550711', 300), (other + 1) % 256, 'the other destination went on from its own');
});

test('nextConcatRef: concurrent takes for one destination get distinct consecutive references', async () => {
  const to = '+14255550712';
  const refs = await Promise.all(Array.from({ length: 20 }, (_v, i) => repo.nextConcatRef(to, 10 + i)));
  assert.equal(new Set(refs).size, 20, `distinct: ${refs.join(',')}`);
  const start = refs.find((r) => !refs.includes((r + 255) % 256));
  assert.ok(start !== undefined, `one run: ${refs.join(',')}`);
  assert.deepEqual([...refs].sort((a, b) => ((a - start + 256) % 256) - ((b - start + 256) % 256)), Array.from({ length: 20 }, (_v, i) => (start + i) % 256));
  assert.equal(await repo.nextConcatRef(to, 40), (start + 20) % 256);
});

test('prune: a destination\'s reference counter goes once unused since before both retentions', async () => {
  // What the tests before left is cleared first, so the counts below are this test's rows alone.
  while ((await repo.prune(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 500)) > 0);
  const recent = '+14255550714';
  await repo.nextConcatRef('+14255550713', 100);
  const kept = await repo.nextConcatRef(recent, 160);
  assert.equal(await repo.prune(150, 200, 100), 1, 'unused since before both cutoffs: gone');
  assert.equal(await repo.prune(200, 150, 100), 0, 'used after the earlier cutoff: kept, whichever it is');
  assert.equal(await repo.nextConcatRef(recent, 300), (kept + 1) % 256, 'and it goes on from where it was');
  assert.equal(await repo.prune(400, 400, 1), 1);
  assert.equal(await repo.prune(400, 400, 1), 0);
  // A forgotten destination starts anew: any reference, then consecutive again.
  const fresh = await repo.nextConcatRef(recent, 500);
  assert.equal(await repo.nextConcatRef(recent, 501), (fresh + 1) % 256);
});
