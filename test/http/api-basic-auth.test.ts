import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { presentedBasic } from '../../src/http/api-auth.js';
import { ADMIN_AUTH, createApp, patchApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, TEST_STORE, type TestGateway, type TestResponse } from '../helpers/gateway.js';
import { sendMo } from '../inbound/mo.js';
import { FAST, handsetReceives } from './send-helpers.js';

// The GSMA OneAPI reference libraries (Java `JSONRequest.getAuthorisationHeader`, Ruby) send
// `Authorization: Basic base64(username:password)` on every call and never ask for a token.
const basic = (appKey: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${appKey}:${secret}`).toString('base64')}` });
const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

let phone = 14255550300;
const nextPhone = () => `+${++phone}`;

/** Send SMS as the GSMA Java library posts it: a form on /2, the sender in path and body. */
function oneapiSend(gw: TestGateway, shortCode: string, auth: Record<string, string>, to = nextPhone()): Promise<TestResponse> {
  const body = new URLSearchParams({ senderAddress: `tel:${shortCode}`, address: `tel:${to}`, message: 'hello over Basic' }).toString();
  return gw.request('POST', `/2/smsmessaging/outbound/${encodeURIComponent(`tel:${shortCode}`)}/requests`, { headers: { ...FORM, ...auth }, body });
}

function deliveryInfos(gw: TestGateway, shortCode: string, id: string, auth: Record<string, string>): Promise<TestResponse> {
  return gw.request('GET', `/2/smsmessaging/outbound/${encodeURIComponent(`tel:${shortCode}`)}/requests/${id}/deliveryInfos`, { headers: { accept: 'application/json', ...auth } });
}

const attStatus = (gw: TestGateway, auth: Record<string, string>, headers: Record<string, string> = {}) =>
  gw.request('GET', '/sms/v3/messaging/outbox/SMS0000000000000000', { headers: { ...auth, ...headers } });
const oneapiStatus = (gw: TestGateway, auth: Record<string, string>, headers: Record<string, string> = {}) =>
  gw.request('GET', '/3/smsmessaging/outbound/requests/tel%3A22627000/SMS0000000000000000/deliveryInfos', { headers: { ...auth, ...headers } });

/** Past authentication: the unknown message id is the route's own 400 SVC0002. */
function passed(res: TestResponse, what = 'passed'): void {
  assert.equal(res.status, 400, `${what}: ${res.text}`);
  const body = res.json();
  assert.equal((body.RequestError?.ServiceException ?? body.requestError.serviceException)[body.RequestError ? 'MessageId' : 'messageId'], 'SVC0002', what);
}

/** A refusal in the OneAPI envelope: lower-camel, variables an array. */
function oneapiPolicy(res: TestResponse, status: number, id: string, variables?: string[]): void {
  assert.equal(res.status, status, res.text);
  const e = res.json().requestError.policyException;
  assert.equal(e.messageId, id);
  if (variables !== undefined) assert.deepEqual(e.variables, variables);
}

/** A refusal in the AT&T envelope: PascalCase, Variables one string. */
function attPolicy(res: TestResponse, status: number, id: string, variables?: string): void {
  assert.equal(res.status, status, res.text);
  const e = res.json().RequestError.PolicyException;
  assert.equal(e.MessageId, id);
  if (variables !== undefined) assert.equal(e.Variables, variables);
}

test('presentedBasic: base64 of appKey:secret, scheme in any case; undefined for other schemes', () => {
  const b64 = Buffer.from('key1:se:cret').toString('base64');
  assert.deepEqual(presentedBasic(`Basic ${b64}`), { appKey: 'key1', secret: 'se:cret' });
  assert.deepEqual(presentedBasic(`BASIC   ${b64}  `), { appKey: 'key1', secret: 'se:cret' });
  assert.deepEqual(presentedBasic(`basic ${b64.replace(/=+$/, '')}`), { appKey: 'key1', secret: 'se:cret' }, 'padding left off');
  assert.deepEqual(presentedBasic(`Basic ${Buffer.from('k:').toString('base64')}`), { appKey: 'k', secret: '' });
  assert.equal(presentedBasic(undefined), undefined);
  assert.equal(presentedBasic('Bearer abc'), undefined);
  assert.equal(presentedBasic('Basicabc'), undefined);
});

test('presentedBasic: malformed — nothing, not base64, no colon, no App Key, not UTF-8, two words', () => {
  for (const header of [
    'Basic',
    'Basic ',
    'Basic !!!!',
    'Basic a',
    `Basic ${Buffer.from('no-colon').toString('base64')}`,
    `Basic ${Buffer.from(':secret').toString('base64')}`,
    `Basic ${Buffer.from([0x6b, 0x3a, 0xff, 0xfe]).toString('base64')}`,
    `Basic ${Buffer.from('a:b').toString('base64')} more`,
  ]) {
    assert.equal(presentedBasic(header), 'malformed', header);
  }
});

describe('HTTP Basic (App Key:App Secret) on the API paths', () => {
  let gw: TestGateway;
  let app: TestApp;
  let auth: Record<string, string>;
  const scrypts = () => gw.gateway.ctx.appCredentials.scrypts;

  before(async () => {
    gw = await startTestGateway(FAST);
    app = await createApp(gw, { shortCodes: [{ shortCode: '22627100', moDelivery: 'poll' }] });
    auth = basic(app.appKey, app.appSecret);
  });
  after(async () => {
    await gw.close();
  });

  test('OneAPI /2 Send SMS 201, then its delivery infos and the inbound messages, all with Basic; one scrypt for them all', async () => {
    const before = scrypts();
    const to = nextPhone();
    const sent = await oneapiSend(gw, '22627100', auth, to);
    assert.equal(sent.status, 201, sent.text);
    const id = sent.json().resourceReference.resourceURL.split('/').pop();
    await handsetReceives(gw, to);
    const infos = await deliveryInfos(gw, '22627100', id, auth);
    assert.equal(infos.status, 200, infos.text);
    assert.equal(infos.json().deliveryInfoList.deliveryInfo[0].address, `tel:${to}`);

    await sendMo(gw, to, '22627100', 'reply over Basic');
    const inbound = await gw.request('GET', '/2/smsmessaging/inbound/registrations/22627100/messages', { headers: { accept: 'application/json', ...auth } });
    assert.equal(inbound.status, 200, inbound.text);
    assert.deepEqual(inbound.json().inboundSMSMessageList.inboundSMSMessage.map((m: { message: string }) => m.message), ['reply over Basic']);
    assert.equal(scrypts() - before, 1, 'the secret was checked once, then remembered');
  });

  test('OneAPI /3 Send SMS and the AT&T v3 send and status work with Basic too', async () => {
    const v3 = await gw.request('POST', '/3/smsmessaging/outbound/tel%3A22627100/requests', {
      headers: auth,
      body: { outboundSMSMessageRequest: { address: [`tel:${nextPhone()}`], senderAddress: 'tel:22627100', outboundSMSTextMessage: { message: 'v3' } } },
    });
    assert.equal(v3.status, 201, v3.text);
    const att = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: auth, body: { outboundSMSRequest: { address: `tel:${nextPhone()}`, message: 'AT&T' } } });
    assert.equal(att.status, 201, att.text);
    const id = att.json().outboundSMSResponse.messageId;
    const status = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: auth });
    assert.equal(status.status, 200, status.text);
    assert.equal(typeof status.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus, 'string');
  });

  test('identical first requests at once share one scrypt', async () => {
    const fresh = await createApp(gw);
    const before = scrypts();
    const answers = await Promise.all(Array.from({ length: 6 }, () => oneapiStatus(gw, basic(fresh.appKey, fresh.appSecret))));
    for (const res of answers) passed(res);
    assert.equal(scrypts() - before, 1);
  });

  test('a wrong secret: 401 POL0001 with a Basic challenge, lower-camel on OneAPI, PascalCase on AT&T, XML when asked', async () => {
    const wrong = basic(app.appKey, 'not-the-secret');
    const oneapi = await oneapiStatus(gw, wrong);
    oneapiPolicy(oneapi, 401, 'POL0001', ['Invalid client credentials']);
    assert.equal(oneapi.headers.get('www-authenticate'), 'Basic realm="switchboard"');
    const att = await attStatus(gw, wrong);
    attPolicy(att, 401, 'POL0001', 'Invalid client credentials');
    assert.equal(att.headers.get('www-authenticate'), 'Basic realm="switchboard"');

    const oneapiXml = await oneapiStatus(gw, wrong, { accept: 'application/xml' });
    assert.equal(oneapiXml.status, 401);
    assert.match(oneapiXml.text, /<requestError><policyException><messageId>POL0001<\/messageId>.*<variables>Invalid client credentials<\/variables>/);
    const attXml = await attStatus(gw, wrong, { accept: 'application/xml' });
    assert.equal(attXml.status, 401);
    assert.match(attXml.text, /<RequestError><PolicyException><MessageId>POL0001<\/MessageId>.*<Variables>Invalid client credentials<\/Variables>/);
    // The right secret is still remembered and accepted.
    passed(await attStatus(gw, auth));
  });

  test('an unknown App Key: 401 POL0001, after a check as long as a wrong secret\'s', async () => {
    const before = scrypts();
    const res = await oneapiStatus(gw, basic('no-such-app-key', app.appSecret));
    oneapiPolicy(res, 401, 'POL0001', ['Invalid client credentials']);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="switchboard"');
    assert.equal(scrypts() - before, 1);
  });

  test('an App Key that is no App Key (a NUL byte, a lone surrogate, upper case): unknown, 401 POL0001 (never a 500), after a check as long as a wrong secret\'s', async () => {
    for (const appKey of [`${app.appKey}\u0000`, `${app.appKey.slice(0, -1)}\ud800`, app.appKey.toUpperCase()]) {
      const before = scrypts();
      const res = await oneapiStatus(gw, basic(appKey, app.appSecret));
      oneapiPolicy(res, 401, 'POL0001', ['Invalid client credentials']);
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="switchboard"');
      assert.equal(scrypts() - before, 1, JSON.stringify(appKey));
    }
  });

  test('a malformed Basic header: 401 POL0001 (never a 500), without a check', async () => {
    const before = scrypts();
    for (const authorization of ['Basic', 'Basic %%%%', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from(`:${app.appSecret}`).toString('base64')}`]) {
      const res = await attStatus(gw, { authorization });
      attPolicy(res, 401, 'POL0001', 'Malformed HTTP Basic credentials');
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="switchboard"', authorization);
      oneapiPolicy(await oneapiStatus(gw, { authorization }), 401, 'POL0001', ['Malformed HTTP Basic credentials']);
    }
    assert.equal(scrypts(), before);
  });

  test('suspending the app refuses its remembered credentials on the next request (403 POL1010); unsuspending restores them', async () => {
    const s = await createApp(gw);
    const creds = basic(s.appKey, s.appSecret);
    passed(await oneapiStatus(gw, creds), 'before');
    await patchApp(gw, s.id, { suspended: true });
    const before = scrypts();
    oneapiPolicy(await oneapiStatus(gw, creds), 403, 'POL1010', ['SMS']);
    attPolicy(await attStatus(gw, creds), 403, 'POL1010', 'SMS');
    await patchApp(gw, s.id, { suspended: false });
    passed(await oneapiStatus(gw, creds), 'unsuspended');
    assert.equal(scrypts(), before, 'it was the remembered secret that was refused');
  });

  test('rotating the secret refuses the old one on the next request, though it was remembered; the new one works', async () => {
    const r = await createApp(gw);
    const old = basic(r.appKey, r.appSecret);
    passed(await oneapiStatus(gw, old), 'before');
    passed(await oneapiStatus(gw, old), 'remembered');
    const rotated = await gw.request('POST', `/admin/v1/apps/${r.id}/secret`, { headers: ADMIN_AUTH });
    assert.equal(rotated.status, 200, rotated.text);
    oneapiPolicy(await oneapiStatus(gw, old), 401, 'POL0001', ['Invalid client credentials']);
    attPolicy(await attStatus(gw, old), 401, 'POL0001', 'Invalid client credentials');
    passed(await oneapiStatus(gw, basic(r.appKey, rotated.json().appSecret)), 'the new secret');
    oneapiPolicy(await oneapiStatus(gw, old), 401, 'POL0001', ['Invalid client credentials']);
  });

  // Two instances share a PostgreSQL database only: registered in the PostgreSQL pass, not skipped in the other.
  if (TEST_STORE === 'postgres') test('PostgreSQL: a secret rotated through another instance is refused by this one on its next call, though it remembered the old one', async () => {
    const r = await createApp(gw);
    const old = basic(r.appKey, r.appSecret);
    passed(await oneapiStatus(gw, old), 'remembered here');
    const other = await startTestGateway({ SWITCHBOARD_DATABASE_URL: gw.env.SWITCHBOARD_DATABASE_URL ?? '' });
    try {
      const rotated = await other.request('POST', `/admin/v1/apps/${r.id}/secret`, { headers: ADMIN_AUTH });
      assert.equal(rotated.status, 200, rotated.text);
      oneapiPolicy(await oneapiStatus(gw, old), 401, 'POL0001', ['Invalid client credentials']);
      passed(await oneapiStatus(gw, basic(r.appKey, rotated.json().appSecret)), 'the new secret');
    } finally {
      await other.close();
    }
  });

  test('taking the SMS scope from the app refuses it (403 POL0001) on the next request; giving it back restores it', async () => {
    const m = await createApp(gw, { scopes: ['SMS', 'MMS'] });
    const creds = basic(m.appKey, m.appSecret);
    passed(await attStatus(gw, creds), 'before');
    await patchApp(gw, m.id, { scopes: ['MMS'] });
    attPolicy(await attStatus(gw, creds), 403, 'POL0001', 'App not provisioned for SMS');
    oneapiPolicy(await oneapiStatus(gw, creds), 403, 'POL0001', ['App not provisioned for SMS']);
    await patchApp(gw, m.id, { scopes: ['SMS'] });
    passed(await attStatus(gw, creds), 'scope given back');
  });

  test('one app\'s credentials do not read another app\'s delivery infos or inbox', async () => {
    const other = await createApp(gw, { shortCodes: [{ shortCode: '22627101', moDelivery: 'poll' }] });
    const otherAuth = basic(other.appKey, other.appSecret);
    const to = nextPhone();
    const sent = await oneapiSend(gw, '22627100', auth, to);
    assert.equal(sent.status, 201, sent.text);
    const id = sent.json().resourceReference.resourceURL.split('/').pop();
    const foreign = await deliveryInfos(gw, '22627100', id, otherAuth);
    assert.equal(foreign.status, 400, foreign.text);
    assert.equal(foreign.json().requestError.serviceException.messageId, 'SVC0002');
    assert.equal((await deliveryInfos(gw, '22627100', id, auth)).status, 200, 'its own app reads it');

    await sendMo(gw, to, '22627100', 'for the first app only');
    const inbox = (a: Record<string, string>) => gw.request('GET', '/2/smsmessaging/inbound/registrations/22627100/messages', { headers: { accept: 'application/json', ...a } });
    const stolen = await inbox(otherAuth);
    assert.equal(stolen.status, 400, stolen.text);
    assert.equal(stolen.json().requestError.serviceException.messageId, 'SVC0002');
    const own = await inbox(auth);
    assert.deepEqual(own.json().inboundSMSMessageList.inboundSMSMessage.map((m: { message: string }) => m.message), ['for the first app only']);
  });

  test('Bearer tokens and ?access_token work as before, and a token wins over Basic', async () => {
    passed(await attStatus(gw, app.auth), 'Bearer');
    passed(await oneapiStatus(gw, app.auth), 'Bearer on OneAPI');
    const invalid = await attStatus(gw, { authorization: 'Bearer not-a-token' });
    attPolicy(invalid, 401, 'POL0001', 'Access token invalid or expired');
    assert.equal(invalid.headers.get('www-authenticate'), 'Bearer realm="switchboard", error="invalid_token"');
    const missing = await attStatus(gw, {});
    attPolicy(missing, 400, 'POL0001', 'Access token missing');
    const query = await gw.request('GET', `/sms/v3/messaging/outbox/SMS0000000000000000?access_token=${app.token}`, { headers: basic(app.appKey, 'wrong') });
    passed(query, 'the access_token parameter is used, the Basic header is not looked at');
  });
});

describe('failed Basic checks are counted with /oauth\'s (SWITCHBOARD_AUTH_FAILURES_PER_MINUTE)', () => {
  const LIMIT = 3;
  let gw: TestGateway;
  const scrypts = () => gw.gateway.ctx.appCredentials.scrypts;
  before(async () => {
    gw = await startTestGateway({ SWITCHBOARD_AUTH_FAILURES_PER_MINUTE: String(LIMIT) });
  });
  after(async () => {
    await gw.close();
  });

  function assertLocked(res: TestResponse, what: string): void {
    oneapiPolicy(res, 403, 'POL0001');
    assert.match(res.json().requestError.policyException.variables[0], /^Too many failed authentications from this address; retry in \d+ s$/, what);
    const seconds = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `${what}: retry-after ${res.headers.get('retry-after')}`);
  }

  test('past the limit an App Key is refused 403 POL0001 with Retry-After (not 401, not 429) without an scrypt, even with its right secret, and at /oauth too', async () => {
    const app = await createApp(gw);
    for (let i = 0; i < LIMIT; i++) oneapiPolicy(await oneapiStatus(gw, basic(app.appKey, `wrong-${i}`)), 401, 'POL0001', ['Invalid client credentials']);
    const before = scrypts();
    assertLocked(await oneapiStatus(gw, basic(app.appKey, 'wrong-again')), 'a wrong secret');
    assertLocked(await oneapiStatus(gw, basic(app.appKey, app.appSecret)), 'its right secret, never checked before');
    const att = await attStatus(gw, basic(app.appKey, app.appSecret));
    attPolicy(att, 403, 'POL0001');
    assert.ok(att.headers.get('retry-after'));
    assert.equal(scrypts(), before, 'no scrypt while refused');

    const token = await gw.request('POST', '/oauth/v4/token', {
      headers: FORM,
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.appKey, client_secret: app.appSecret }).toString(),
    });
    assert.equal(token.status, 401, token.text);
    assert.match(token.json().error_description, /^too many failed client authentications/, 'the count is the same as /oauth\'s');
  });

  test('failed client authentications at /oauth lock the App Key out of Basic too; other App Keys are not held back', async () => {
    const [app, neighbour] = [await createApp(gw), await createApp(gw)];
    for (let i = 0; i < LIMIT; i++) {
      const res = await gw.request('POST', '/oauth/v4/token', {
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.appKey, client_secret: 'wrong' }).toString(),
      });
      assert.equal(res.status, 401);
    }
    assertLocked(await oneapiStatus(gw, basic(app.appKey, app.appSecret)), 'after /oauth failures');
    passed(await oneapiStatus(gw, basic(neighbour.appKey, neighbour.appSecret)), 'another app behind the same address');
  });

  test('right secrets sent at once are not failures: more at once than the limit all pass, on one scrypt, and lock nothing', async () => {
    const app = await createApp(gw);
    const before = scrypts();
    const answers = await Promise.all(Array.from({ length: LIMIT * 4 }, () => oneapiStatus(gw, basic(app.appKey, app.appSecret))));
    for (const res of answers) passed(res, 'at once');
    assert.equal(scrypts() - before, 1);
    for (let i = 0; i < LIMIT - 1; i++) oneapiPolicy(await oneapiStatus(gw, basic(app.appKey, `guess-${i}`)), 401, 'POL0001');
    oneapiPolicy(await oneapiStatus(gw, basic(app.appKey, 'the-last-guess')), 401, 'POL0001', ['Invalid client credentials']);
  });

  test('guesses sent at once: each different one takes an attempt before any ends (no more scrypts than the limit); identical ones share one scrypt and each counts', async () => {
    const [app, other] = [await createApp(gw), await createApp(gw)];
    let before = scrypts();
    const different = await Promise.all(Array.from({ length: LIMIT * 2 }, (_, i) => oneapiStatus(gw, basic(app.appKey, `guess-${i}`))));
    assert.deepEqual(different.map((r) => r.status).sort(), [...Array<number>(LIMIT).fill(401), ...Array<number>(LIMIT).fill(403)]);
    assert.equal(scrypts() - before, LIMIT);

    before = scrypts();
    const identical = await Promise.all(Array.from({ length: LIMIT }, () => oneapiStatus(gw, basic(other.appKey, 'one-guess'))));
    for (const res of identical) oneapiPolicy(res, 401, 'POL0001', ['Invalid client credentials']);
    assert.equal(scrypts() - before, 1);
    assertLocked(await oneapiStatus(gw, basic(other.appKey, 'another-guess')), 'each identical guess counted');
  });

  test('a secret already found right is accepted during a lockout: it costs no scrypt and tells a guesser nothing', async () => {
    const app = await createApp(gw);
    const right = basic(app.appKey, app.appSecret);
    passed(await oneapiStatus(gw, right), 'checked and remembered');
    for (let i = 0; i < LIMIT; i++) oneapiPolicy(await oneapiStatus(gw, basic(app.appKey, `guess-${i}`)), 401, 'POL0001');
    assertLocked(await oneapiStatus(gw, basic(app.appKey, 'guess-again')), 'a guess');
    const before = scrypts();
    passed(await oneapiStatus(gw, right), 'remembered');
    assert.equal(scrypts(), before);
  });
});
