import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createOutbound } from '../../src/dispatch/outbound.js';
import { newMessageId } from '../../src/sms/ids.js';
import { withSqliteStore } from '../helpers/sqlite.js';
import { createApp } from '../store/store.contract.js';

const T = Date.UTC(2026, 10, 25, 12);

test('an id another instance already took is drawn again; the send is stored once under the new id', async () => {
  await withSqliteStore(async (store, dir) => {
    await createApp(store, 'app1');
    const outbound = createOutbound({ config: loadConfig({ SWITCHBOARD_DATA_DIR: dir }), store, clock: { now: () => T }, log: pino({ level: 'silent' }), notified: () => undefined });
    // Ids drawn in one millisecond count up: the next one is predictable, so another "instance" takes it first.
    const drawn = newMessageId(T);
    const seq = (n: number) => `${drawn.slice(0, 13)}${((parseInt(drawn.slice(13), 16) + n) % 2 ** 24).toString(16).padStart(6, '0')}`;
    const taken = seq(1);
    assert.deepEqual(await store.messages.accept(storedMessage(taken), [], []), { created: true });

    const sent = await outbound.outbox.send(
      { api: 'att-v3', appId: 'app1', sender: '22627000', address: 'tel:+14255550100', message: 'hi', receipt: { mode: 'none' }, notify: async () => ({ mode: 'none' }), clientCorrelator: null, idempotencyKey: null },
      (id) => ({ status: 201, location: null, body: { id } }),
    );
    assert.equal(sent.created, true);
    assert.deepEqual(sent.response.body, { id: seq(2) });
    const stored = await store.messages.recipient(`${seq(2)}-0`);
    assert.equal(stored?.message.text, 'hi');
    assert.equal((await store.messages.recipient(`${taken}-0`)), undefined, 'the other message is untouched');
  });
});

function storedMessage(id: string) {
  return {
    id,
    appId: 'app1',
    api: 'att-v3' as const,
    sender: '22627000',
    text: 'first',
    encoding: 'GSM7' as const,
    segments: 1,
    notifyMode: 'none' as const,
    notifyUrl: null,
    callbackData: null,
    createdAt: T,
    statusExpiresAt: null,
    statusConsumed: false,
    oneapiRequest: null,
  };
}
