import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attDateTime,
  attDeliveryNotification,
  attMoCallback,
  oneapiDateTime,
  oneapiDeliveryNotification,
  oneapiInboundNotification,
  serialize,
} from '../../src/webhooks/bodies.js';

const at = Date.UTC(2011, 3, 15, 12, 0, 0, 250);
const mo = { id: 'MO0123456789abcdef', from: '+12071111111', to: '52345678', text: 'Hello world', receivedAt: at };

test('AT&T Receive SMS body, keys in the documented order (contract §7.1)', () => {
  assert.equal(
    JSON.stringify(attMoCallback(mo)),
    '{"DateTime":"04-15-2011T12:00:00","MessageId":"MO0123456789abcdef","Message":"Hello world","SenderAddress":"tel:+12071111111","DestinationAddress":"52345678"}',
  );
});

test('date formats: AT&T MM-dd-yyyyTHH:mm:ss and OneAPI ISO, both UTC', () => {
  assert.equal(attDateTime(at), '04-15-2011T12:00:00');
  assert.equal(attDateTime(Date.UTC(1999, 11, 31, 23, 59, 59)), '12-31-1999T23:59:59');
  assert.equal(oneapiDateTime(at), '2011-04-15T12:00:00Z');
});

test('OneAPI inbound notification (§11), with and without callbackData', () => {
  assert.deepEqual(oneapiInboundNotification(mo, 'some-data'), {
    inboundSMSMessageNotification: {
      callbackData: 'some-data',
      inboundSMSMessage: {
        dateTime: '2011-04-15T12:00:00Z',
        destinationAddress: '52345678',
        messageId: 'MO0123456789abcdef',
        message: 'Hello world',
        senderAddress: 'tel:+12071111111',
      },
    },
  });
  assert.equal('callbackData' in (oneapiInboundNotification(mo, null).inboundSMSMessageNotification as object), false);
});

test('delivery notifications: AT&T form (§7.2) and OneAPI form with callbackData (§11)', () => {
  assert.equal(
    JSON.stringify(attDeliveryNotification('SMSc04091ed284f5684', 'tel:+14255550100', 'DeliveredToTerminal')),
    '{"deliveryInfoNotification":{"messageId":"SMSc04091ed284f5684","deliveryInfo":{"address":"tel:+14255550100","deliveryStatus":"DeliveredToTerminal"}}}',
  );
  assert.deepEqual(oneapiDeliveryNotification('SMSc04091ed284f5684', 'tel:+14255550100', 'DeliveryImpossible', 'cb'), {
    deliveryInfoNotification: {
      callbackData: 'cb',
      messageId: 'SMSc04091ed284f5684',
      deliveryInfo: { address: 'tel:+14255550100', deliveryStatus: 'DeliveryImpossible' },
    },
  });
});

test('serialize: JSON by default, XML with the same element names, markup escaped', () => {
  const json = serialize(attMoCallback(mo), 'JSON');
  assert.equal(json.contentType, 'application/json', 'exactly: the GSMA reference Java library reads a notification only so');
  const xml = serialize(oneapiInboundNotification({ ...mo, text: 'a < b & c' }, null), 'XML');
  assert.equal(xml.contentType, 'application/xml');
  assert.match(xml.text, /<inboundSMSMessageNotification><inboundSMSMessage><dateTime>2011-04-15T12:00:00Z<\/dateTime>.*<message>a &lt; b &amp; c<\/message>/);
});

test('serialize: JSON in ASCII, other characters as \\u escapes that read back as the same text', () => {
  const text = 'Olá señor ✓ 😀';
  const json = serialize(attMoCallback({ ...mo, text }), 'JSON');
  assert.doesNotMatch(json.text, /[\u0080-\uffff]/);
  assert.match(json.text, /Ol\\u00e1 se\\u00f1or \\u2713 \\ud83d\\ude00/);
  assert.equal((JSON.parse(json.text) as { Message: string }).Message, text);
});
