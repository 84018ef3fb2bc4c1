import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { presentedToken } from '../../src/http/api-auth.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp, getToken, patchApp, type TestApp } from '../helpers/apps.js';

test('Bearer header, scheme in any case (the 2012 C# sample sends BEARER)', () => {
  assert.equal(presentedToken('Bearer abc123', {}), 'abc123');
  assert.equal(presentedToken('BEARER abc123', {}), 'abc123');
  assert.equal(presentedToken('bearer   abc123  ', {}), 'abc123');
});

test('OAuth header, the scheme of OAuth 2.0 drafts up to draft-10, in any case', () => {
  assert.equal(presentedToken('OAuth abc123', {}), 'abc123');
  assert.equal(presentedToken('oauth abc123', {}), 'abc123');
  assert.equal(presentedToken('OAUTH  abc123 ', { access_token: 'q1' }), 'abc123');
  assert.equal(presentedToken('OAuth', {}), undefined);
  assert.equal(presentedToken('OAuthabc123', {}), undefined);
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

describe('API authentication over HTTP (the real delivery-status routes)', () => {
  let gw: TestGateway;
  let app: TestApp;
  before(async () => {
    gw = await startTestGateway();
    app = await createApp(gw, { scopes: ['SMS', 'MMS'] });
  });
  after(async () => {
    await gw.close();
  });

  const AT_T = '/sms/v3/messaging/outbox/SMS0000000000000000';
  const ONEAPI = '/3/smsmessaging/outbound/tel%3A%2B22627000/requests/SMS0000000000000000/deliveryInfos';

  function policy(res: { status: number; json(): any }, status: number, id = 'POL0001') {
    assert.equal(res.status, status);
    assert.equal(res.json().RequestError.PolicyException.MessageId, id);
  }

  test('no token: 400 POL0001 in the AT&T envelope, the OneAPI one on OneAPI paths', async () => {
    policy(await gw.request('GET', AT_T), 400);
    const oneapi = await gw.request('GET', ONEAPI);
    assert.equal(oneapi.status, 400);
    assert.equal(oneapi.json().requestError.policyException.messageId, 'POL0001');
    assert.ok(Array.isArray(oneapi.json().requestError.policyException.variables));
    const xml = await gw.request('GET', AT_T, { headers: { accept: 'application/xml' } });
    assert.equal(xml.status, 400);
    assert.match(xml.text, /<RequestError><PolicyException><MessageId>POL0001<\/MessageId>/);
  });

  test('an unknown token: 401 POL0001 with WWW-Authenticate', async () => {
    const res = await gw.request('GET', AT_T, { headers: { authorization: 'Bearer not-a-token' } });
    policy(res, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="switchboard", error="invalid_token"');
  });

  test('a valid token passes authentication as header (any scheme case) or query parameter', async () => {
    // Past authentication, the unknown message id is the route's own 400 SVC0002.
    for (const init of [{ headers: app.auth }, { headers: { authorization: `BEARER ${app.token}` } }]) {
      const res = await gw.request('GET', AT_T, init);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json().RequestError.ServiceException.MessageId, 'SVC0002');
    }
    const query = await gw.request('GET', `${AT_T}?access_token=${app.token}`);
    assert.equal(query.json().RequestError.ServiceException.MessageId, 'SVC0002');
  });

  test('`Authorization: OAuth <token>` (OAuth 2.0 drafts ≤ 10) authenticates as Bearer does, on AT&T and OneAPI paths (it was 400 POL0001 "missing")', async () => {
    for (const scheme of ['OAuth', 'oauth']) {
      const res = await gw.request('GET', AT_T, { headers: { authorization: `${scheme} ${app.token}` } });
      assert.equal(res.json().RequestError?.ServiceException?.MessageId, 'SVC0002', res.text);
    }
    const oneapi = await gw.request('GET', ONEAPI, { headers: { authorization: `OAuth ${app.token}` } });
    assert.equal(oneapi.json().requestError?.serviceException?.messageId, 'SVC0002', oneapi.text);
    const unknown = await gw.request('GET', AT_T, { headers: { authorization: 'OAuth not-a-token' } });
    policy(unknown, 401);
  });

  test('a header without a usable token is 400 POL0001 saying what is wrong with it, not that it is missing', async () => {
    const variables = async (authorization: string | undefined) => {
      const res = await gw.request('GET', AT_T, authorization === undefined ? {} : { headers: { authorization } });
      policy(res, 400);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="switchboard"');
      return res.json().RequestError.PolicyException.Variables as string;
    };
    assert.equal(await variables(undefined), 'Access token missing');
    for (const other of ['Digest username="x"', 'Token abc', app.token]) {
      const why = await variables(other);
      assert.equal(why, 'Authorization scheme not supported: use Bearer <access token>', other);
      assert.ok(!why.includes(app.token), 'a token sent without a scheme is not echoed');
    }
    for (const malformed of ['Bearer', 'OAuth ', 'Bearer a b']) assert.equal(await variables(malformed), 'Malformed Authorization header: expected Bearer <access token>', malformed);
  });

  test('a token without the SMS scope: 403 POL0001', async () => {
    const mms = (await getToken(gw, app.appKey, app.appSecret, 'MMS')).access_token;
    const res = await gw.request('GET', AT_T, { headers: { authorization: `Bearer ${mms}` } });
    policy(res, 403);
    assert.match(res.headers.get('www-authenticate') ?? '', /insufficient_scope/);
  });

  test('a revoked token: 401; an expired one: 401 (SWITCHBOARD_TOKEN_TTL_S=1)', async () => {
    const t = await getToken(gw, app.appKey, app.appSecret);
    const revoke = await gw.request('POST', '/oauth/v4/revoke', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: app.appKey, client_secret: app.appSecret, token: t.access_token }).toString(),
    });
    assert.equal(revoke.status, 200);
    policy(await gw.request('GET', AT_T, { headers: { authorization: `Bearer ${t.access_token}` } }), 401);

    const short = await startTestGateway({ SWITCHBOARD_TOKEN_TTL_S: '1' });
    try {
      const a = await createApp(short);
      await new Promise((r) => setTimeout(r, 1200));
      policy(await short.request('GET', AT_T, { headers: a.auth }), 401);
    } finally {
      await short.close();
    }
  });

  test('a suspended app: 403 POL1010 (Variables SMS); works again once unsuspended', async () => {
    const s = await createApp(gw);
    await patchApp(gw, s.id, { suspended: true });
    const res = await gw.request('GET', AT_T, { headers: s.auth });
    policy(res, 403, 'POL1010');
    assert.equal(res.json().RequestError.PolicyException.Variables, 'SMS');
    await patchApp(gw, s.id, { suspended: false });
    assert.equal((await gw.request('GET', AT_T, { headers: s.auth })).json().RequestError.ServiceException.MessageId, 'SVC0002');
  });

  test('authentication comes before body parsing: a bad body without a token is still 400 POL0001', async () => {
    const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: { 'content-type': 'application/json' }, body: '{"outboundSMSRequest": ' });
    policy(res, 400);
  });
});
