import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageRecord, RecipientRecord } from '../../src/store/repos/messages.js';
import { dlrNotificationBuilder } from '../../src/webhooks/dlr-notification.js';

const message = {
  id: 'SMS0123456789abcdef',
  appId: 'app',
  notifyMode: 'oneapi',
  notifyUrl: 'http://127.0.0.1:1/dr?x=1',
  callbackData: 'cb',
} as MessageRecord;
const recipient = { id: 'SMS0123456789abcdef-0', e164: '+14255550100', addressOriginal: '425-555-0100', status: 'DeliveredToTerminal', finalAt: 1000 } as RecipientRecord;

test('a OneAPI delivery notification: §11 body with callbackData, to the notifyURL, on its listener queue', () => {
  const n = dlrNotificationBuilder(5000)(message, recipient);
  assert.ok(n);
  assert.equal(n.id, 'dlr-SMS0123456789abcdef-0', 'a stable event id');
  assert.equal(n.appId, 'app');
  assert.equal(n.kind, 'dlr');
  assert.equal(n.target, 'client');
  assert.equal(n.url, 'http://127.0.0.1:1/dr?x=1');
  assert.equal(n.queue, 'listener:http://127.0.0.1:1');
  assert.equal(n.createdAt, 1000);
  assert.equal(n.deadlineAt, 6000);
  assert.equal(n.contentType, 'application/json');
  assert.deepEqual(JSON.parse(n.body), {
    deliveryInfoNotification: {
      callbackData: 'cb',
      messageId: 'SMS0123456789abcdef',
      deliveryInfo: { address: 'tel:+14255550100', deliveryStatus: 'DeliveredToTerminal' },
    },
  });
});

test('an AT&T delivery notification: §7.2 body with the messageId, to the URL the app had at sending', () => {
  const n = dlrNotificationBuilder(5000)({ ...message, notifyMode: 'att', callbackData: null }, { ...recipient, status: 'DeliveryImpossible' });
  assert.ok(n);
  assert.equal(n.target, 'delivery-status-url');
  assert.deepEqual(JSON.parse(n.body), {
    deliveryInfoNotification: {
      messageId: 'SMS0123456789abcdef',
      deliveryInfo: { address: 'tel:+14255550100', deliveryStatus: 'DeliveryImpossible' },
    },
  });
});

test('DeliveryUncertain (no receipt ever came): DeliveryImpossible in the AT&T body, DeliveryUncertain in the OneAPI one', () => {
  const build = dlrNotificationBuilder(5000);
  const uncertain = { ...recipient, status: 'DeliveryUncertain' } as const;
  const shown = (m: MessageRecord) => JSON.parse(build(m, uncertain)?.body ?? 'null').deliveryInfoNotification.deliveryInfo.deliveryStatus;
  assert.equal(shown({ ...message, notifyMode: 'att', callbackData: null }), 'DeliveryImpossible');
  assert.equal(shown(message), 'DeliveryUncertain');
});

test('no notification unless asked for, with somewhere to send it, for a final state', () => {
  const build = dlrNotificationBuilder(5000);
  assert.equal(build({ ...message, notifyMode: 'none' }, recipient), null);
  assert.equal(build({ ...message, notifyUrl: null }, recipient), null);
  assert.equal(build(message, { ...recipient, status: 'DeliveredToNetwork', finalAt: null }), null);
});
