import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presentedToken } from '../../src/http/api-auth.js';

test('Bearer header, scheme in any case (the 2012 C# sample sends BEARER)', () => {
  assert.equal(presentedToken('Bearer abc123', {}), 'abc123');
  assert.equal(presentedToken('BEARER abc123', {}), 'abc123');
  assert.equal(presentedToken('bearer   abc123  ', {}), 'abc123');
});

test('the access_token query parameter when there is no Bearer header', () => {
  assert.equal(presentedToken(undefined, { access_token: 'q1' }), 'q1');
  assert.equal(presentedToken(undefined, { access_token: ['q1', 'q2'] }), 'q1');
  assert.equal(presentedToken('Basic Zm9vOmJhcg==', { access_token: 'q1' }), 'q1');
  assert.equal(presentedToken('Bearer h1', { access_token: 'q1' }), 'h1');
});

test('no token: a missing header, an empty Bearer, another scheme, an empty parameter', () => {
  assert.equal(presentedToken(undefined, {}), undefined);
  assert.equal(presentedToken(undefined, undefined), undefined);
  assert.equal(presentedToken('Bearer', {}), undefined);
  assert.equal(presentedToken('Bearer ', {}), undefined);
  assert.equal(presentedToken('Basic Zm9vOmJhcg==', {}), undefined);
  assert.equal(presentedToken('Bearer a b', {}), undefined);
  assert.equal(presentedToken(undefined, { access_token: '' }), undefined);
  assert.equal(presentedToken(undefined, { access_token: 42 }), undefined);
});
