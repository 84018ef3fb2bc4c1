import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keywordsOf, pickSubscription, routeMo, type RouteContext } from '../../src/inbound/routing.js';
import type { SubscriptionRecord } from '../../src/store/repos/subscriptions.js';
import type { ShortCodeRecord } from '../../src/store/repos/short-codes.js';

const mo = { id: 'MO00000000000000aa', from: '+14255550100', to: '22627000', text: 'Stop sending please', receivedAt: 1000 };
const poll: ShortCodeRecord = { code: '22627000', appId: 'app-1', moDelivery: 'poll', listenerUrl: null, createdAt: 0 };
const callback: ShortCodeRecord = { ...poll, moDelivery: 'callback', listenerUrl: 'https://app.example/mo' };
const sub = (id: string, criteria: string | null, appId = 'app-1'): SubscriptionRecord => ({
  id,
  appId,
  kind: 'inbound',
  shortCode: '22627000',
  notifyUrl: `https://app.example/${id}`,
  callbackData: id,
  criteria,
  format: 'JSON',
  clientCorrelator: null,
  apiVersion: '2',
  createdAt: 0,
});
const ctx = (shortCode: ShortCodeRecord | undefined, subscriptions: SubscriptionRecord[] = []): RouteContext => ({
  shortCode,
  subscriptions,
  now: 5000,
  inboxRetentionMs: 1800_000,
  webhookWindowMs: 259_200_000,
});

test('unknown short code → unrouted', () => {
  assert.deepEqual(routeMo(mo, ctx(undefined)), { kind: 'unrouted', reason: 'unknown-short-code' });
});

test('poll short code → inbox, expiring retention after arrival at the gateway', () => {
  assert.deepEqual(routeMo(mo, ctx(poll)), { kind: 'inbox', appId: 'app-1', expiresAt: 5000 + 1800_000 });
});

test('callback short code → the AT&T body to its listener, queued per listener origin', () => {
  const d = routeMo(mo, ctx(callback));
  assert.equal(d.kind, 'notify');
  if (d.kind !== 'notify') return;
  const n = d.notification;
  assert.equal(n.id, mo.id);
  assert.equal(n.target, 'listener');
  assert.equal(n.url, 'https://app.example/mo');
  assert.equal(n.queue, 'listener:https://app.example');
  assert.equal(n.deadlineAt, 5000 + 259_200_000);
  assert.equal(JSON.parse(n.body).DestinationAddress, '22627000');
});

test('an inbound subscription of the owner takes precedence; keyword match first, then catch-all, other apps ignored', () => {
  assert.equal(pickSubscription('hello', 'app-1', [sub('a', null), sub('b', 'STOP')])?.id, 'a');
  assert.equal(pickSubscription(' stop now', 'app-1', [sub('a', null), sub('b', 'STOP')])?.id, 'b');
  assert.equal(pickSubscription('Stop, please', 'app-1', [sub('a', null), sub('b', 'STOP')])?.id, 'b');
  assert.equal(pickSubscription('STOP!', 'app-1', [sub('a', null), sub('b', 'STOP')])?.id, 'b');
  assert.equal(pickSubscription('#tag yes', 'app-1', [sub('a', null), sub('b', '#TAG')])?.id, 'b');
  assert.equal(pickSubscription('stopper', 'app-1', [sub('a', null), sub('b', 'STOP')])?.id, 'a');
  assert.equal(pickSubscription('hello', 'app-1', [sub('b', 'STOP')]), undefined);
  assert.equal(pickSubscription('hello', 'app-1', [sub('x', null, 'app-2')]), undefined);
  const d = routeMo(mo, ctx(callback, [sub('b', 'stop')]));
  assert.equal(d.kind === 'notify' && d.notification.target, 'client');
  assert.equal(d.kind === 'notify' && JSON.parse(d.notification.body).inboundSMSMessageNotification.callbackData, 'b');
});

test('keywordsOf: the first word lower-cased, as typed and without the punctuation around it, each once (what subscriptions are looked up by)', () => {
  assert.deepEqual(keywordsOf('  Join, please'), ['join,', 'join']);
  assert.deepEqual(keywordsOf('STOP'), ['stop']);
  assert.deepEqual(keywordsOf('Été arrive'), ['été']);
  assert.deepEqual(keywordsOf(''), ['']);
});
