import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DUMMY_SECRET_HASH, hashSecret, newAppSecret, sameDigest, sha256Hex, verifySecret } from '../../src/auth/secrets.js';
import { missingScopes, parseScopes, unknownScopes } from '../../src/auth/scopes.js';

test('scrypt secret hashes verify the secret and nothing else, with a fresh salt each time', async () => {
  const secret = newAppSecret();
  const a = await hashSecret(secret);
  const b = await hashSecret(secret);
  assert.match(a, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(a, b);
  assert.equal(await verifySecret(secret, a), true);
  assert.equal(await verifySecret(secret, b), true);
  assert.equal(await verifySecret(`${secret}x`, a), false);
  assert.equal(await verifySecret('', a), false);
  assert.equal(await verifySecret(secret, 'plain'), false);
  assert.equal(await verifySecret(secret, DUMMY_SECRET_HASH), false);
});

test('SHA-256 digests compare in constant time and never match malformed input', () => {
  const d = sha256Hex('token');
  assert.equal(d, '3c469e9d6c5875d37a43f353d4f88e61fcf812c66eee3457465a40b0da4153e0');
  assert.equal(sameDigest(d, sha256Hex('token')), true);
  assert.equal(sameDigest(d, sha256Hex('other')), false);
  assert.equal(sameDigest(d, ''), false);
  assert.equal(sameDigest('', ''), false);
});

test('scope lists: commas or spaces, upper-cased, de-duplicated', () => {
  assert.deepEqual(parseScopes('SMS'), ['SMS']);
  assert.deepEqual(parseScopes('SPEECH,STTC,TTS'), ['SPEECH', 'STTC', 'TTS']);
  assert.deepEqual(parseScopes('sms  mms,SMS'), ['SMS', 'MMS']);
  assert.deepEqual(parseScopes(['sms', 'MMS,TL']), ['SMS', 'MMS', 'TL']);
  assert.deepEqual(parseScopes(' , '), []);
  assert.deepEqual(unknownScopes(['SMS', 'SMSS', 'MMS', 'S!', 'TTS', 'sms']), ['SMSS', 'S!', 'sms']);
  assert.deepEqual(missingScopes(['SMS', 'MMS'], ['SMS']), ['MMS']);
});
