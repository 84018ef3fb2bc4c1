import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import { parseAttSendBody, parseNotifyFlag, parseOneApiSendBody } from '../../src/http/routes/send-body.js';

function refuses(fn: () => unknown, id: string, variables: string[]) {
  assert.throws(fn, (err: unknown) => err instanceof ApiError && err.id === id && JSON.stringify(err.variables) === JSON.stringify(variables));
}

test('AT&T bodies: wrapper optional, keys in any case, XML one-element lists unwrapped', () => {
  const plain = { address: 'tel:+14255550100', message: 'hi', notifyDeliveryStatus: false };
  assert.deepEqual(parseAttSendBody({ outboundSMSRequest: plain }), plain);
  assert.deepEqual(parseAttSendBody({ OUTBOUNDSMSREQUEST: { ADDRESS: ['a'], Message: 'm' } }), { address: ['a'], message: 'm', notifyDeliveryStatus: false });
  assert.deepEqual(parseAttSendBody({ outBoundSMSRequest: { Address: 'a', Message: ['m'] } }), { address: 'a', message: 'm', notifyDeliveryStatus: false });
  assert.deepEqual(parseAttSendBody({ Address: 'a', Message: 'm', notifyDeliveryStatus: 'TRUE' }), { address: 'a', message: 'm', notifyDeliveryStatus: true });
  refuses(() => parseAttSendBody(undefined), 'SVC0002', ['outboundSMSRequest']);
  refuses(() => parseAttSendBody('text'), 'SVC0002', ['outboundSMSRequest']);
  refuses(() => parseAttSendBody({ outboundSMSRequest: 'x' }), 'SVC0002', ['outboundSMSRequest']);
  refuses(() => parseAttSendBody({ other: 1 }), 'SVC0002', ['outboundSMSRequest']);
});

test('notifyDeliveryStatus: boolean, "true"/"false" in any case, absent or empty = false; else SVC0003', () => {
  assert.equal(parseNotifyFlag(true), true);
  assert.equal(parseNotifyFlag(' False '), false);
  assert.equal(parseNotifyFlag(undefined), false);
  assert.equal(parseNotifyFlag(''), false);
  assert.equal(parseNotifyFlag(['true']), true);
  refuses(() => parseNotifyFlag('yes'), 'SVC0003', ['notifyDeliveryStatus', 'true,false']);
  refuses(() => parseNotifyFlag(1), 'SVC0003', ['notifyDeliveryStatus', 'true,false']);
});

test('OneAPI bodies: nested JSON and flat GSMA form map onto one shape', () => {
  const nested = parseOneApiSendBody({
    outboundSMSMessageRequest: {
      address: ['tel:+14255550100'],
      senderAddress: 'tel:12345',
      outboundSMSTextMessage: { message: 'Hello' },
      clientCorrelator: 123456,
      receiptRequest: { notifyURL: 'https://app.example/dr', callbackData: 'cb' },
      senderName: 'ACME',
    },
  });
  assert.deepEqual(nested, {
    address: ['tel:+14255550100'],
    message: 'Hello',
    senderAddress: 'tel:12345',
    clientCorrelator: '123456',
    notifyUrl: 'https://app.example/dr',
    callbackData: 'cb',
    senderName: 'ACME',
  });
  const flat = parseOneApiSendBody({ senderAddress: 'tel:12345', address: ['a', 'b'], message: 'm', notifyURL: 'http://x/y', callbackData: '' });
  assert.deepEqual(flat, { address: ['a', 'b'], message: 'm', senderAddress: 'tel:12345', clientCorrelator: null, notifyUrl: 'http://x/y', callbackData: null, senderName: null });
  refuses(() => parseOneApiSendBody({ address: 'a', message: 'm', notifyURL: 'javascript:alert(1)' }), 'SVC0002', ['notifyURL']);
  // Both optional (contract §8): callbackData without a notifyURL asks for no receipt.
  for (const orphan of [{ callbackData: 'orphan' }, { receiptRequest: { callbackData: 'orphan' } }, { receiptRequest: {} }]) {
    const body = parseOneApiSendBody({ address: 'a', message: 'm', ...orphan });
    assert.deepEqual([body.notifyUrl, body.callbackData], [null, null], JSON.stringify(orphan));
  }
  refuses(() => parseOneApiSendBody({ address: 'a', message: 'm', clientCorrelator: { x: 1 } }), 'SVC0002', ['clientCorrelator']);
  // Contract §14: charging information in a request is 403 POL0008; empty, there is none.
  refuses(() => parseOneApiSendBody({ outboundSMSMessageRequest: { address: 'a', message: 'm', charging: { amount: '1' } } }), 'POL0008', []);
  refuses(() => parseOneApiSendBody({ address: 'a', message: 'm', charging: '1' }), 'POL0008', []);
  for (const charging of [null, '', {}]) assert.equal(parseOneApiSendBody({ address: 'a', message: 'm', charging }).message, 'm');
  refuses(() => parseOneApiSendBody([]), 'SVC0002', ['outboundSMSMessageRequest']);
});
