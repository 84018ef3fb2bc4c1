import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import { plainErrorAnswer } from '../../src/http/error-handler.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp, patchApp, type TestApp } from '../helpers/apps.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

let gw: TestGateway;
let app: TestApp;
before(async () => {
  gw = await startTestGateway();
  app = await createApp(gw, { scopes: ['SMS', 'MMS'] });
});
after(async () => {
  await gw.close();
});

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function token(fields: Record<string, string>, path = '/oauth/v4/token', headers: Record<string, string> = FORM) {
  return gw.request('POST', path, { headers, body: form(fields) });
}

const creds = () => ({ client_id: app.appKey, client_secret: app.appSecret });

describe('POST /oauth/v4/token, client_credentials', () => {
  test('answers the token pair with Cache-Control: no-store and Content-Type: application/json, as the doc shows (contract §2.1)', async () => {
    const res = await token({ ...creds(), grant_type: 'client_credentials', scope: 'SMS' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('content-type'), 'application/json');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 172800);
    assert.equal(typeof body.access_token, 'string');
    assert.equal(typeof body.refresh_token, 'string');
    assert.notEqual(body.access_token, body.refresh_token);
  });

  test('the legacy paths /oauth/token and /oauth/access_token are aliases', async () => {
    for (const path of ['/oauth/token', '/oauth/access_token', '/oauth/v4/token/']) {
      const res = await token({ ...creds(), grant_type: 'client_credentials', scope: 'SMS' }, path);
      assert.equal(res.status, 200, path);
    }
  });

  test('scope as a comma or space separated list, in any case; omitted means all of the app\'s', async () => {
    for (const scope of ['SMS,MMS', 'MMS SMS', 'sms']) {
      assert.equal((await token({ ...creds(), grant_type: 'client_credentials', scope })).status, 200, scope);
    }
    assert.equal((await token({ ...creds(), grant_type: 'client_credentials' })).status, 200);
  });

  test('parameter order and a stray refresh_token do not matter (v2 docs\' refresh example)', async () => {
    const body = `scope=SMS&refresh_token=whatever&grant_type=client_credentials&client_secret=${app.appSecret}&client_id=${app.appKey}`;
    const res = await gw.request('POST', '/oauth/v4/token', { headers: FORM, body });
    assert.equal(res.status, 200);
    assert.notEqual(res.json().refresh_token, 'whatever');
  });

  test('client credentials over HTTP Basic', async () => {
    const basic = Buffer.from(`${app.appKey}:${app.appSecret}`).toString('base64');
    const res = await token({ grant_type: 'client_credentials', scope: 'SMS' }, '/oauth/v4/token', { ...FORM, authorization: `Basic ${basic}` });
    assert.equal(res.status, 200);
  });

  test('a JSON body is accepted too', async () => {
    const res = await gw.request('POST', '/oauth/v4/token', { body: { ...creds(), grant_type: 'client_credentials', scope: 'SMS' } });
    assert.equal(res.status, 200);
  });

  test('the content type is matched case-insensitively, with a charset', async () => {
    const res = await token({ ...creds(), grant_type: 'client_credentials' }, '/oauth/v4/token', {
      'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8',
    });
    assert.equal(res.status, 200);
  });
});

describe('POST /oauth/v4/token errors (RFC 6749 §5.2)', () => {
  async function expectError(res: Awaited<ReturnType<typeof token>>, status: number, error: string) {
    assert.equal(res.status, status, res.text);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = res.json();
    assert.equal(body.error, error);
    assert.equal(typeof body.error_description, 'string');
  }

  test('wrong secret: 401 invalid_client', async () => {
    await expectError(await token({ client_id: app.appKey, client_secret: 'wrong', grant_type: 'client_credentials' }), 401, 'invalid_client');
  });

  test('unknown client_id: 401 invalid_client', async () => {
    await expectError(await token({ client_id: 'nobody', client_secret: app.appSecret, grant_type: 'client_credentials' }), 401, 'invalid_client');
  });

  test('wrong Basic credentials: 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const basic = Buffer.from(`${app.appKey}:wrong`).toString('base64');
    const res = await token({ grant_type: 'client_credentials' }, '/oauth/v4/token', { ...FORM, authorization: `Basic ${basic}` });
    await expectError(res, 401, 'invalid_client');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="switchboard"/);
  });

  test('malformed Basic credentials (not base64, no colon): 401 invalid_client with WWW-Authenticate: Basic', async () => {
    for (const value of ['Basic !!!notbase64', `Basic ${Buffer.from(app.appKey).toString('base64')}`]) {
      const res = await token({ grant_type: 'client_credentials' }, '/oauth/v4/token', { ...FORM, authorization: value });
      await expectError(res, 401, 'invalid_client');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="switchboard"/, value);
    }
  });

  test('no client credentials: 401 invalid_client', async () => {
    await expectError(await token({ grant_type: 'client_credentials', scope: 'SMS' }), 401, 'invalid_client');
    await expectError(await token({ client_id: app.appKey, grant_type: 'client_credentials' }), 401, 'invalid_client');
  });

  test('missing grant_type: 400 invalid_request', async () => {
    await expectError(await token({ ...creds(), scope: 'SMS' }), 400, 'invalid_request');
  });

  test('unknown grant: 400 unsupported_grant_type', async () => {
    await expectError(await token({ ...creds(), grant_type: 'password' }), 400, 'unsupported_grant_type');
    await expectError(await token({ ...creds(), grant_type: 'authorization_code', code: 'x' }), 400, 'unsupported_grant_type');
  });

  test('a scope the app lacks: 400 invalid_scope', async () => {
    await expectError(await token({ ...creds(), grant_type: 'client_credentials', scope: 'SMS,SPEECH' }), 400, 'invalid_scope');
    await expectError(await token({ ...creds(), grant_type: 'client_credentials', scope: ' , ' }), 400, 'invalid_scope');
  });

  test('a repeated parameter: 400 invalid_request', async () => {
    const body = `${form({ ...creds(), grant_type: 'client_credentials' })}&grant_type=client_credentials`;
    await expectError(await gw.request('POST', '/oauth/v4/token', { headers: FORM, body }), 400, 'invalid_request');
  });

  test('malformed JSON: 400 invalid_request', async () => {
    const res = await gw.request('POST', '/oauth/v4/token', { headers: { 'content-type': 'application/json' }, body: '{"client_id": ' });
    await expectError(res, 400, 'invalid_request');
  });

  test('a wrong content type (XML, text) or no body: an RFC 6749 error, never a 500', async () => {
    const xml = await gw.request('POST', '/oauth/v4/token', {
      headers: { 'content-type': 'application/xml' },
      body: `<r><client_id>${app.appKey}</client_id></r>`,
    });
    await expectError(xml, 415, 'invalid_request');
    const text = await gw.request('POST', '/oauth/v4/token', { headers: { 'content-type': 'text/plain' }, body: 'hello' });
    await expectError(text, 415, 'invalid_request');
    await expectError(await gw.request('POST', '/oauth/v4/token'), 400, 'invalid_request');
  });

  test('client credentials in HTTP Basic and in the body at once: 400 invalid_request (RFC 6749 §2.3: one method), whatever the body secret', async () => {
    const basic = { ...FORM, authorization: `Basic ${Buffer.from(`${app.appKey}:${app.appSecret}`).toString('base64')}` };
    for (const secret of ['not-the-secret', app.appSecret]) {
      const res = await token({ grant_type: 'client_credentials', client_id: app.appKey, client_secret: secret }, '/oauth/v4/token', basic);
      await expectError(res, 400, 'invalid_request');
      assert.match(res.json().error_description, /HTTP Basic and in the body/);
    }
    const revoke = await token({ token: 'x', client_secret: app.appSecret }, '/oauth/v4/revoke', basic);
    await expectError(revoke, 400, 'invalid_request');
    assert.equal((await token({ grant_type: 'client_credentials', client_id: app.appKey }, '/oauth/v4/token', basic)).status, 200, 'the same client_id beside Basic is no second method');
  });

  test('a client_id that is no App Key (a NUL byte, a lone surrogate, upper case) is unknown, in HTTP Basic or in the body (where U+0000 is refused as any text no store can hold: 400): never a 500', async () => {
    for (const clientId of [`${app.appKey}\u0000`, `${app.appKey.slice(0, -1)}\ud800`, app.appKey.toUpperCase()]) {
      const [status, error] = clientId.includes('\u0000') ? [400, 'invalid_request'] : [401, 'invalid_client'];
      await expectError(await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: app.appSecret }), status, error);
      const basic = { ...FORM, authorization: `Basic ${Buffer.from(`${clientId}:${app.appSecret}`).toString('base64')}` };
      await expectError(await token({ grant_type: 'client_credentials' }, '/oauth/v4/token', basic), 401, 'invalid_client');
    }
  });

  test('a failure of the gateway itself: 500 server_error, not invalid_request (the request was right); 503 temporarily_unavailable', () => {
    const answer = (status: number) => JSON.parse(plainErrorAnswer('oauth', new ApiError('SVC0001', ['Internal'], { status })).text).error;
    assert.deepEqual([500, 502, 503, 400, 413].map(answer), ['server_error', 'server_error', 'temporarily_unavailable', 'invalid_request', 'invalid_request']);
  });

  test('GET on the token endpoint: 405', async () => {
    const res = await gw.request('GET', '/oauth/v4/token');
    assert.equal(res.status, 405);
    assert.equal(res.json().error, 'invalid_request');
  });
});

describe('refresh_token grant', () => {
  async function pair(): Promise<any> {
    const res = await token({ ...creds(), grant_type: 'client_credentials', scope: 'SMS,MMS' });
    assert.equal(res.status, 200);
    return res.json();
  }

  test('returns a new pair; the used refresh token cannot be redeemed again; the old access token still works', async () => {
    const first = await pair();
    const res = await token({ ...creds(), grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const second = res.json();
    assert.notEqual(second.access_token, first.access_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.expires_in, 172800);
    const again = await token({ ...creds(), grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(again.status, 400);
    assert.equal(again.json().error, 'invalid_grant');
    const next = await token({ ...creds(), grant_type: 'refresh_token', refresh_token: second.refresh_token });
    assert.equal(next.status, 200);
  });

  test('concurrent redemptions of one refresh token: exactly one succeeds', async () => {
    const first = await pair();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => token({ ...creds(), grant_type: 'refresh_token', refresh_token: first.refresh_token })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400, 400, 400]);
  });

  test('a narrower scope may be asked; a wider one is invalid_scope', async () => {
    const first = await pair();
    const narrow = await token({ ...creds(), grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'SMS' });
    assert.equal(narrow.status, 200);
    const small = await token({ ...creds(), grant_type: 'client_credentials', scope: 'SMS' });
    const wide = await token({ ...creds(), grant_type: 'refresh_token', refresh_token: small.json().refresh_token, scope: 'SMS,MMS' });
    assert.equal(wide.status, 400);
    assert.equal(wide.json().error, 'invalid_scope');
  });

  test('unknown refresh token, an access token, or another app\'s refresh token: 400 invalid_grant', async () => {
    const first = await pair();
    const other = await createApp(gw);
    for (const refresh_token of ['nonsense', first.access_token, other.refreshToken]) {
      const res = await token({ ...creds(), grant_type: 'refresh_token', refresh_token });
      assert.equal(res.status, 400);
      assert.equal(res.json().error, 'invalid_grant');
    }
  });

  test('missing refresh_token: 400 invalid_request; wrong secret: 401 invalid_client', async () => {
    const missing = await token({ ...creds(), grant_type: 'refresh_token' });
    assert.equal(missing.status, 400);
    assert.equal(missing.json().error, 'invalid_request');
    const first = await pair();
    const wrong = await token({ client_id: app.appKey, client_secret: 'nope', grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json().error, 'invalid_client');
  });
});

describe('POST /oauth/v4/revoke (RFC 7009)', () => {
  async function refreshWith(refreshToken: string) {
    return token({ ...creds(), grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  test('always 200 for any token of the app, unknown or already revoked ones included', async () => {
    for (const path of ['/oauth/v4/revoke', '/oauth/revoke']) {
      const res = await token({ ...creds(), token: 'not-a-token', token_type_hint: 'access_token' }, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
  });

  test('revoking a refresh token kills it and the access tokens minted from it', async () => {
    const t = (await token({ ...creds(), grant_type: 'client_credentials' })).json();
    const res = await token({ ...creds(), token: t.refresh_token, token_type_hint: 'refresh_token' }, '/oauth/revoke');
    assert.equal(res.status, 200);
    assert.equal((await refreshWith(t.refresh_token)).json().error, 'invalid_grant');
    const grant = await gw.gateway.ctx.store.tokens.getAccessGrant((await import('../../src/auth/secrets.js')).sha256Hex(t.access_token));
    assert.notEqual(grant?.token.revokedAt, null);
  });

  test('revoking an access token leaves its refresh token usable, whatever the hint says', async () => {
    const t = (await token({ ...creds(), grant_type: 'client_credentials' })).json();
    assert.equal((await token({ ...creds(), token: t.access_token, token_type_hint: 'refresh_token' }, '/oauth/v4/revoke')).status, 200);
    assert.equal((await refreshWith(t.refresh_token)).status, 200);
  });

  test('another app cannot revoke this app\'s token', async () => {
    const t = (await token({ ...creds(), grant_type: 'client_credentials' })).json();
    const other = await createApp(gw);
    const res = await token({ client_id: other.appKey, client_secret: other.appSecret, token: t.refresh_token }, '/oauth/v4/revoke');
    assert.equal(res.status, 200);
    assert.equal((await refreshWith(t.refresh_token)).status, 200);
  });

  test('wrong client credentials: 401 invalid_client; no token: 400 invalid_request', async () => {
    const wrong = await token({ client_id: app.appKey, client_secret: 'nope', token: 'x' }, '/oauth/v4/revoke');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json().error, 'invalid_client');
    const none = await token(creds(), '/oauth/v4/revoke');
    assert.equal(none.status, 400);
    assert.equal(none.json().error, 'invalid_request');
  });
});

describe('suspended apps and secret rotation', () => {
  test('a suspended app gets no token (401 invalid_client) and cannot refresh; unsuspended it can again', async () => {
    const victim = await createApp(gw);
    await patchApp(gw, victim.id, { suspended: true });
    const c = { client_id: victim.appKey, client_secret: victim.appSecret };
    const res = await token({ ...c, grant_type: 'client_credentials' });
    assert.equal(res.status, 401);
    assert.equal(res.json().error, 'invalid_client');
    assert.match(res.json().error_description, /suspended/);
    assert.equal((await token({ ...c, grant_type: 'refresh_token', refresh_token: victim.refreshToken })).status, 401);
    await patchApp(gw, victim.id, { suspended: false });
    assert.equal((await token({ ...c, grant_type: 'client_credentials' })).status, 200);
  });

  test('after rotation the old secret fails, the new one works, and old refresh tokens are revoked', async () => {
    const rotating = await createApp(gw);
    const res = await gw.request('POST', `/admin/v1/apps/${rotating.id}/secret`, { headers: ADMIN_AUTH });
    assert.equal(res.status, 200);
    const { appSecret } = res.json();
    assert.notEqual(appSecret, rotating.appSecret);
    const old = await token({ client_id: rotating.appKey, client_secret: rotating.appSecret, grant_type: 'client_credentials' });
    assert.equal(old.status, 401);
    const fresh = await token({ client_id: rotating.appKey, client_secret: appSecret, grant_type: 'client_credentials' });
    assert.equal(fresh.status, 200);
    const refresh = await token({ client_id: rotating.appKey, client_secret: appSecret, grant_type: 'refresh_token', refresh_token: rotating.refreshToken });
    assert.equal(refresh.json().error, 'invalid_grant');
  });
});

describe('token lifetimes', () => {
  test('SWITCHBOARD_TOKEN_TTL_S=0: expires_in 0 (never expires)', async () => {
    const forever = await startTestGateway({ SWITCHBOARD_TOKEN_TTL_S: '0' });
    try {
      const a = await createApp(forever);
      const res = await forever.request('POST', '/oauth/v4/token', {
        headers: FORM,
        body: form({ client_id: a.appKey, client_secret: a.appSecret, grant_type: 'client_credentials' }),
      });
      assert.equal(res.json().expires_in, 0);
    } finally {
      await forever.close();
    }
  });

  test('an expired refresh token is invalid_grant (SWITCHBOARD_REFRESH_TOKEN_TTL_S=1)', async () => {
    const short = await startTestGateway({ SWITCHBOARD_REFRESH_TOKEN_TTL_S: '1', SWITCHBOARD_TOKEN_TTL_S: '1' });
    try {
      const a = await createApp(short);
      await new Promise((r) => setTimeout(r, 1200));
      const res = await short.request('POST', '/oauth/v4/token', {
        headers: FORM,
        body: form({ client_id: a.appKey, client_secret: a.appSecret, grant_type: 'refresh_token', refresh_token: a.refreshToken }),
      });
      assert.equal(res.status, 400);
      assert.equal(res.json().error, 'invalid_grant');
      // Expired rows are cleaned up as new tokens are issued.
      const fresh = await short.request('POST', '/oauth/v4/token', {
        headers: FORM,
        body: form({ client_id: a.appKey, client_secret: a.appSecret, grant_type: 'client_credentials' }),
      });
      assert.equal(fresh.status, 200);
      const { sha256Hex } = await import('../../src/auth/secrets.js');
      assert.equal(await short.gateway.ctx.store.tokens.get(sha256Hex(a.refreshToken)), undefined);
    } finally {
      await short.close();
    }
  });

  test('an app keeps SWITCHBOARD_MAX_TOKENS_PER_APP token pairs: a new one ends the oldest, access and refresh token', async () => {
    const capped = await startTestGateway({ SWITCHBOARD_MAX_TOKENS_PER_APP: '2' });
    try {
      const a = await createApp(capped);
      const issue = async () => {
        const res = await capped.request('POST', '/oauth/v4/token', { headers: FORM, body: form({ client_id: a.appKey, client_secret: a.appSecret, grant_type: 'client_credentials' }) });
        assert.equal(res.status, 200);
        return res.json() as { access_token: string; refresh_token: string };
      };
      const inbox = (accessToken: string) => capped.request('GET', '/sms/v3/messaging/inbox/12345', { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
      // createApp issued the first pair; two more leave the second and third.
      const second = await issue();
      const third = await issue();
      assert.equal((await inbox(a.token)).status, 401, 'the oldest access token is gone');
      const refresh = await capped.request('POST', '/oauth/v4/token', {
        headers: FORM,
        body: form({ client_id: a.appKey, client_secret: a.appSecret, grant_type: 'refresh_token', refresh_token: a.refreshToken }),
      });
      assert.equal(refresh.status, 400);
      assert.equal(refresh.json().error, 'invalid_grant', 'and its refresh token');
      for (const pair of [second, third]) assert.notEqual((await inbox(pair.access_token)).status, 401);
    } finally {
      await capped.close();
    }
  });
});
