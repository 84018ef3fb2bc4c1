import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signatureHeaders, signPayload } from '../../src/webhooks/signing.js';

test('signature = hex HMAC-SHA256(secret, timestamp + "." + body)', () => {
  // Fixed vector, computed with: printf '1713182400.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_test'
  assert.equal(signPayload('whsec_test', '1713182400', '{"a":1}'), '9e2f45894e3ab1237180c174024b1259ac802d90f94000e3507aa3336c747b43');
  assert.equal(signPayload('whsec_test', '1713182400', '{"a":1}'), createHmac('sha256', 'whsec_test').update('1713182400.{"a":1}').digest('hex'));
});

test('headers: event id as given, timestamp in Unix seconds, signature over that timestamp', () => {
  const h = signatureHeaders('s3cret', 'MO0011223344556677', '{"x":"ü"}', 1713182400999);
  assert.deepEqual(Object.keys(h).sort(), ['x-switchboard-event-id', 'x-switchboard-signature', 'x-switchboard-timestamp']);
  assert.equal(h['x-switchboard-event-id'], 'MO0011223344556677');
  assert.equal(h['x-switchboard-timestamp'], '1713182400');
  assert.equal(h['x-switchboard-signature'], signPayload('s3cret', '1713182400', '{"x":"ü"}'));
  assert.notEqual(h['x-switchboard-signature'], signPayload('s3cret', '1713182401', '{"x":"ü"}'));
});
