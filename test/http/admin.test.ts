import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp, getToken } from '../helpers/apps.js';
import { Writable } from 'node:stream';
import { warnOfUnknownScopes } from '../../src/auth/apps.js';
import { createLogger } from '../../src/logger.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const admin = (method: string, path: string, body?: object | string) =>
  gw.request(method, `/admin/v1${path}`, { headers: ADMIN_AUTH, ...(body === undefined ? {} : { body }) });

async function newApp(body: object = { name: 'demo' }): Promise<any> {
  const res = await admin('POST', '/apps', body);
  assert.equal(res.status, 201, res.text);
  return res.json();
}

function assertError(res: { status: number; json(): any; text: string }, status: number, code: string) {
  assert.equal(res.status, status, res.text);
  const body = res.json();
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
}

describe('admin authentication', () => {
  test('no token, a wrong token or another scheme: 401 with WWW-Authenticate', async () => {
    const cases: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${ADMIN_TOKEN}` }, { authorization: ADMIN_TOKEN }];
    for (const headers of cases) {
      const res = await gw.request('GET', '/admin/v1/apps', { headers });
      assertError(res, 401, 'unauthorized');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  });

  test('bodies are JSON only: a form, XML or plain text is 415 unsupported_media_type, and nothing is made', async () => {
    // From a code review: forms were read, despite the README's "JSON" and its 415 rule.
    const before = (await admin('GET', '/apps')).json().apps.length;
    const bodies: [string, string][] = [
      ['application/x-www-form-urlencoded', 'name=form-made'],
      ['application/xml', '<app><name>xml-made</name></app>'],
      ['text/plain', '{"name":"text-made"}'],
    ];
    for (const [type, body] of bodies) {
      assertError(await gw.request('POST', '/admin/v1/apps', { headers: { ...ADMIN_AUTH, 'content-type': type }, body }), 415, 'unsupported_media_type');
    }
    const app = await newApp({ name: 'json-made' });
    assertError(await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/replay`, { headers: { ...ADMIN_AUTH, 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' }), 415, 'unsupported_media_type');
    assert.equal((await gw.request('POST', `/admin/v1/apps/${app.id}/dead-letters/replay`, { headers: ADMIN_AUTH })).status, 202, 'no body at all, as the CLI sends it');
    assert.equal((await admin('GET', '/apps')).json().apps.length, before + 1);
  });

  test('the scheme is case-insensitive', async () => {
    const res = await gw.request('GET', '/admin/v1/apps', { headers: { authorization: `bearer ${ADMIN_TOKEN}` } });
    assert.equal(res.status, 200);
  });
});

describe('apps', () => {
  test('POST /apps: 201 with the secret shown once, defaults sandbox and SMS', async () => {
    const app = await newApp({ name: 'demo' });
    assert.deepEqual(Object.keys(app).slice(0, 4), ['id', 'name', 'appKey', 'appSecret']);
    assert.equal(app.name, 'demo');
    assert.deepEqual(app.scopes, ['SMS']);
    assert.equal(app.realm, 'sandbox');
    assert.equal(app.deliveryStatusUrl, null);
    assert.equal(app.suspended, false);
    assert.match(app.signingSecret, /^[0-9a-f]{64}$/);
    assert.equal(app.ratePerSecond, null);
    assert.equal(app.ratePerDay, null);
    assert.match(app.appKey, /^[0-9a-f]{32}$/);
    assert.match(app.appSecret, /^[0-9a-f]{24}$/);
    // One line of MIME base64 (76 characters): the GSMA Java and Python libraries' Basic header.
    assert.ok(Buffer.from(`${app.appKey}:${app.appSecret}`).toString('base64').length <= 76);
    const shown = await admin('GET', `/apps/${app.id}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.json().appSecret, undefined);
    assert.equal(shown.json().signingSecret, app.signingSecret);
    assert.deepEqual(shown.json().shortCodes, []);
    // Only a hash is stored.
    const stored = await gw.gateway.ctx.store.apps.get(app.id);
    assert.match(stored?.secretHash ?? '', /^scrypt\$/);
    assert.ok(!stored?.secretHash.includes(app.appSecret));
  });

  test('POST /apps with scopes, realm, delivery status URL and throttles', async () => {
    const app = await newApp({
      name: 'full',
      scopes: ['sms', 'MMS'],
      realm: 'production',
      deliveryStatusUrl: 'https://example.test/status',
      ratePerSecond: 5,
      ratePerDay: 1000,
    });
    assert.deepEqual(app.scopes, ['SMS', 'MMS']);
    assert.equal(app.realm, 'production');
    assert.equal(app.deliveryStatusUrl, 'https://example.test/status');
    assert.equal(app.ratePerSecond, 5);
    assert.equal(app.ratePerDay, 1000);
  });

  test('POST /apps bad input: 400 invalid_request', async () => {
    const cases: (object | string)[] = [
      {},
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'x', realm: 'staging' },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['S M S!'] },
      { name: 'x', ratePerSecond: 0 },
      { name: 'x', ratePerDay: 1.5 },
      { name: 'x', deliveryStatusUrl: 'not a url' },
      { name: 'x', deliveryStatusUrl: 'ftp://example.test/' },
      { name: 'x', realm: 'production', deliveryStatusUrl: 'http://example.test/status' },
      { name: 'x', unknownField: 1 },
    ];
    for (const body of cases) assertError(await admin('POST', '/apps', body), 400, 'invalid_request');
    // The message names what to mend: the allowed values, the unknown field.
    assert.equal((await admin('POST', '/apps', { name: 'x', realm: 'staging' })).json().error.message, 'body/realm must be one of sandbox, production');
    assert.equal((await admin('POST', '/apps', { name: 'x', unknownField: 1 })).json().error.message, 'body has no field "unknownField"');
    const malformed = await gw.request('POST', '/admin/v1/apps', {
      headers: { ...ADMIN_AUTH, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    assertError(malformed, 400, 'invalid_request');
    const text = await gw.request('POST', '/admin/v1/apps', { headers: { ...ADMIN_AUTH, 'content-type': 'text/plain' }, body: 'name=x' });
    assertError(text, 415, 'unsupported_media_type');
  });

  test('a JSON value of the wrong type is refused, naming the field, not coerced and stored', async () => {
    // From a fuzzing walk: name true was stored as "true", scopes 0 as ["0"], ratePerSecond ""
    // as 0 and suspended null as false.
    const a = await newApp({ name: 'typed', scopes: 'SMS', ratePerSecond: 5 });
    assert.deepEqual(a.scopes, ['SMS'], 'a lone scope string is still taken');
    const cases: [string, string, object, string][] = [
      ['POST', '/apps', { name: true }, 'name'],
      ['POST', '/apps', { name: 'x', scopes: 0 }, 'scopes'],
      ['POST', '/apps', { name: 'x', scopes: [1] }, 'scopes'],
      ['POST', '/apps', { name: 'x', ratePerSecond: '' }, 'ratePerSecond'],
      ['PATCH', `/apps/${a.id}`, { suspended: null }, 'suspended'],
      ['PATCH', `/apps/${a.id}`, { ratePerDay: '10' }, 'ratePerDay'],
      ['POST', `/apps/${a.id}/short-codes`, { shortCode: 22627555 }, 'shortCode'],
    ];
    for (const [method, path, body, name] of cases) {
      const res = await admin(method, path, body);
      assertError(res, 400, 'invalid_request');
      assert.match(res.json().error.message, new RegExp(`body/${name} must be`));
    }
    const after = (await admin('GET', `/apps/${a.id}`)).json();
    assert.equal(after.suspended, false);
    assert.equal(after.ratePerSecond, 5);
    assert.deepEqual(after.shortCodes, []);
  });

  test('GET /apps lists every app without secrets', async () => {
    const a = await newApp({ name: 'listed' });
    const res = await admin('GET', '/apps');
    assert.equal(res.status, 200);
    const apps = res.json().apps;
    const found = apps.find((x: any) => x.id === a.id);
    assert.equal(found.name, 'listed');
    assert.ok(apps.every((x: any) => x.appSecret === undefined && x.secretHash === undefined));
  });

  test('PATCH /apps/{id} changes name, scopes, delivery status URL, suspension and throttles', async () => {
    const a = await newApp({ name: 'before' });
    const res = await admin('PATCH', `/apps/${a.id}`, {
      name: 'after',
      scopes: 'SMS,MMS',
      deliveryStatusUrl: 'http://127.0.0.1:9/status',
      suspended: true,
      ratePerSecond: 2,
      ratePerDay: null,
    });
    assert.equal(res.status, 200, res.text);
    const app = res.json();
    assert.equal(app.name, 'after');
    assert.deepEqual(app.scopes, ['SMS', 'MMS']);
    assert.equal(app.deliveryStatusUrl, 'http://127.0.0.1:9/status');
    assert.equal(app.suspended, true);
    assert.equal(app.ratePerSecond, 2);
    assert.equal(app.ratePerDay, null);
    const cleared = await admin('PATCH', `/apps/${a.id}`, { deliveryStatusUrl: null, ratePerSecond: null });
    assert.equal(cleared.json().deliveryStatusUrl, null);
    assert.equal(cleared.json().ratePerSecond, null);
    assert.equal(cleared.json().name, 'after');
    assert.equal(cleared.json().suspended, true);
  });

  test('PATCH bad input: 400; production app keeps https-only URLs', async () => {
    const a = await newApp({ name: 'prod', realm: 'production' });
    assertError(await admin('PATCH', `/apps/${a.id}`, { deliveryStatusUrl: 'http://example.test/' }), 400, 'invalid_request');
    assertError(await admin('PATCH', `/apps/${a.id}`, { realm: 'sandbox' }), 400, 'invalid_request');
    assertError(await admin('PATCH', `/apps/${a.id}`, { suspended: 'maybe' }), 400, 'invalid_request');
    assertError(await admin('PATCH', `/apps/${a.id}`, { scopes: [] }), 400, 'invalid_request');
    assert.equal((await admin('PATCH', `/apps/${a.id}`, { deliveryStatusUrl: 'https://example.test/' })).status, 200);
  });

  test('a scope that is not the AT&T platform\'s (the operator trial\'s `SMSS`) is refused at creation and update, naming the ones accepted', async () => {
    // It was taken as typed: the app got tokens, and every send was 403 POL0001 "Access token not valid for SMS".
    const message = "scopes holds an unknown scope: SMSS (the AT&T API platform's scopes are SMS, MMS, IMMN, MIM, SPEECH, STTC, TTS, ADS, PAYMENT, WAP, DC, TL, MOBO, CCS, CMS; this gateway serves SMS)";
    const created = await admin('POST', '/apps', { name: 'typo', scopes: ['SMSS'] });
    assertError(created, 400, 'invalid_request');
    assert.equal(created.json().error.message, message);
    assert.ok(!(await admin('GET', '/apps')).json().apps.some((x: any) => x.name === 'typo'), 'nothing was made');
    const several = await admin('POST', '/apps', { name: 'typos', scopes: 'SMS,SPEACH,MMMS' });
    assert.match(several.json().error.message, /^scopes holds unknown scopes: SPEACH, MMMS \(/);
    // Every platform scope a codekit may register beside SMS, in any case.
    const all = await newApp({ name: 'platform', scopes: 'sms,mms,immn,mim,speech,sttc,tts,ads,payment,wap,dc,tl,mobo,ccs,cms' });
    assert.deepEqual(all.scopes, ['SMS', 'MMS', 'IMMN', 'MIM', 'SPEECH', 'STTC', 'TTS', 'ADS', 'PAYMENT', 'WAP', 'DC', 'TL', 'MOBO', 'CCS', 'CMS']);
    const patched = await admin('PATCH', `/apps/${all.id}`, { scopes: ['SMS', 'SMSS'] });
    assertError(patched, 400, 'invalid_request');
    assert.equal(patched.json().error.message, message);
    assert.deepEqual((await admin('GET', `/apps/${all.id}`)).json().scopes, ['SMS', 'MMS', 'IMMN', 'MIM', 'SPEECH', 'STTC', 'TTS', 'ADS', 'PAYMENT', 'WAP', 'DC', 'TL', 'MOBO', 'CCS', 'CMS'], 'left as it was');
  });

  test('an app stored with an unknown scope by an earlier build keeps its scopes and its tokens, and the start warns of it', async () => {
    const legacy = await newApp({ name: 'legacy-scopes' });
    assert.ok(await gw.gateway.ctx.store.apps.update(legacy.id, { scopes: ['SMS', 'SMSS'] }, Date.now()));
    const tokens = await getToken(gw, legacy.appKey, legacy.appSecret);
    assert.equal(typeof tokens.access_token, 'string');
    const renamed = await admin('PATCH', `/apps/${legacy.id}`, { name: 'legacy-renamed' });
    assert.equal(renamed.status, 200, 'a change that leaves the scopes alone is taken');
    assert.deepEqual(renamed.json().scopes, ['SMS', 'SMSS']);
    // A client that reads the app and sends it back whole, scopes and all (operator trial): taken,
    // as long as no unknown name is added; only the added one is named.
    const resent = await admin('PATCH', `/apps/${legacy.id}`, { name: 'legacy-renamed', scopes: ['SMS', 'SMSS'], ratePerSecond: 7 });
    assert.equal(resent.status, 200, resent.text);
    assert.deepEqual([resent.json().scopes, resent.json().ratePerSecond], [['SMS', 'SMSS'], 7]);
    const added = await admin('PATCH', `/apps/${legacy.id}`, { scopes: 'smss,SMS,MMMS', ratePerSecond: 9 });
    assertError(added, 400, 'invalid_request');
    assert.match(added.json().error.message, /^scopes holds an unknown scope: MMMS \(/);
    assert.equal((await admin('GET', `/apps/${legacy.id}`)).json().ratePerSecond, 7, 'nothing was changed');
    // Once mended, the old name is refused like any other.
    assert.deepEqual((await admin('PATCH', `/apps/${legacy.id}`, { scopes: ['SMS', 'MMS'] })).json().scopes, ['SMS', 'MMS']);
    assertError(await admin('PATCH', `/apps/${legacy.id}`, { scopes: ['SMS', 'SMSS'] }), 400, 'invalid_request');
    assert.ok(await gw.gateway.ctx.store.apps.update(legacy.id, { scopes: ['SMS', 'SMSS'] }, Date.now()));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    await warnOfUnknownScopes(gw.gateway.ctx.store, createLogger('info', sink));
    assert.equal(lines.length, 1);
    const logged = JSON.parse(lines[0] ?? '{}');
    assert.equal(logged.level, 40);
    assert.deepEqual(logged.apps.filter((a: any) => a.appId === legacy.id), [{ appId: legacy.id, name: 'legacy-renamed', unknownScopes: ['SMSS'] }]);
    assert.match(logged.msg, /an app without SMS cannot send/);
  });

  test('unknown app: 404 not_found on every app route', async () => {
    const id = '00000000-0000-0000-0000-000000000000';
    assertError(await admin('GET', `/apps/${id}`), 404, 'not_found');
    assertError(await admin('PATCH', `/apps/${id}`, { name: 'x' }), 404, 'not_found');
    assertError(await admin('DELETE', `/apps/${id}`), 404, 'not_found');
    assertError(await admin('POST', `/apps/${id}/secret`), 404, 'not_found');
    assertError(await admin('GET', `/apps/${id}/short-codes`), 404, 'not_found');
    assertError(await admin('POST', `/apps/${id}/short-codes`, { shortCode: '12345', moDelivery: 'poll' }), 404, 'not_found');
  });

  test('POST /apps/{id}/secret rotates: a new secret, shown once', async () => {
    const a = await newApp({ name: 'rotate' });
    const res = await admin('POST', `/apps/${a.id}/secret`);
    assert.equal(res.status, 200);
    const rotated = res.json();
    assert.equal(rotated.id, a.id);
    assert.equal(rotated.appKey, a.appKey);
    assert.match(rotated.appSecret, /^[0-9a-f]{24}$/);
    assert.notEqual(rotated.appSecret, a.appSecret);
  });

  test('DELETE /apps/{id}: 204, then 404, and its short codes are free again', async () => {
    const a = await newApp({ name: 'doomed' });
    assert.equal((await admin('POST', `/apps/${a.id}/short-codes`, { shortCode: '99001', moDelivery: 'poll' })).status, 201);
    const res = await admin('DELETE', `/apps/${a.id}`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assertError(await admin('GET', `/apps/${a.id}`), 404, 'not_found');
    const b = await newApp({ name: 'heir' });
    assert.equal((await admin('POST', `/apps/${b.id}/short-codes`, { shortCode: '99001', moDelivery: 'poll' })).status, 201);
  });

  test('unknown admin path: 404; wrong method: 405', async () => {
    assertError(await admin('GET', '/nowhere'), 404, 'not_found');
    const res = await admin('PUT', '/apps');
    assertError(res, 405, 'method_not_allowed');
  });
});

describe('short codes', () => {
  let sandbox: any;
  let production: any;
  before(async () => {
    sandbox = await newApp({ name: 'codes' });
    production = await newApp({ name: 'codes-prod', realm: 'production' });
  });

  test('poll and callback short codes: 201, listed in code order, shown with the app', async () => {
    const poll = await admin('POST', `/apps/${sandbox.id}/short-codes`, { shortCode: '22627000', moDelivery: 'poll' });
    assert.equal(poll.status, 201, poll.text);
    assert.deepEqual({ ...poll.json(), createdAt: undefined }, {
      shortCode: '22627000',
      appId: sandbox.id,
      moDelivery: 'poll',
      listenerUrl: null,
      createdAt: undefined,
    });
    const callback = await admin('POST', `/apps/${sandbox.id}/short-codes`, {
      shortCode: '22626999',
      moDelivery: 'callback',
      listenerUrl: 'http://127.0.0.1:9/mo',
    });
    assert.equal(callback.status, 201, callback.text);
    assert.equal(callback.json().listenerUrl, 'http://127.0.0.1:9/mo');
    const list = await admin('GET', `/apps/${sandbox.id}/short-codes`);
    assert.deepEqual(list.json().shortCodes.map((s: any) => s.shortCode), ['22626999', '22627000']);
    const shown = await admin('GET', `/apps/${sandbox.id}`);
    assert.equal(shown.json().shortCodes.length, 2);
  });

  test('a listener URL alone implies callback', async () => {
    const res = await admin('POST', `/apps/${sandbox.id}/short-codes`, { shortCode: '22626998', listenerUrl: 'https://example.test/mo' });
    assert.equal(res.status, 201);
    assert.equal(res.json().moDelivery, 'callback');
  });

  test('a short code belongs to one app: a second claim is 409', async () => {
    assert.equal((await admin('POST', `/apps/${sandbox.id}/short-codes`, { shortCode: '30303', moDelivery: 'poll' })).status, 201);
    assertError(await admin('POST', `/apps/${production.id}/short-codes`, { shortCode: '30303', moDelivery: 'poll' }), 409, 'short_code_taken');
    assertError(await admin('POST', `/apps/${sandbox.id}/short-codes`, { shortCode: '30303', moDelivery: 'poll' }), 409, 'short_code_taken');
  });

  test('concurrent claims of one short code: exactly one wins', async () => {
    const results = await Promise.all(
      [sandbox.id, production.id, sandbox.id, production.id].map((id) => admin('POST', `/apps/${id}/short-codes`, { shortCode: '40404', moDelivery: 'poll' })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409]);
  });

  test('callback requires a listener URL; poll takes none; codes are 3-8 digits', async () => {
    const bad = [
      { shortCode: '50505', moDelivery: 'callback' },
      { shortCode: '50505', moDelivery: 'poll', listenerUrl: 'https://example.test/mo' },
      { shortCode: '50505', moDelivery: 'push' },
      { shortCode: 'abcde', moDelivery: 'poll' },
      { shortCode: '12', moDelivery: 'poll' },
      // From a code review: nine digits were taken (201), and then nothing could use the code.
      { shortCode: '226270001', moDelivery: 'poll' },
      { shortCode: '4255550100', moDelivery: 'poll' },
      { shortCode: 'tel:22627000', moDelivery: 'poll' },
      { moDelivery: 'poll' },
      { shortCode: '50505', moDelivery: 'callback', listenerUrl: 'mailto:a@example.test' },
    ];
    for (const body of bad) assertError(await admin('POST', `/apps/${sandbox.id}/short-codes`, body), 400, 'invalid_request');
  });

  test('a code of 3 or of 8 digits (the shortest and the longest taken) can be texted and polled', async () => {
    const app = await createApp(gw, { shortCodes: [{ shortCode: '505', moDelivery: 'poll' }, { shortCode: '50505050', moDelivery: 'poll' }] });
    for (const code of ['505', '50505050']) {
      assert.equal((await gw.request('POST', '/sim/v1/handsets/4255550100/messages', { body: { to: code, text: `to ${code}` } })).status, 202, code);
      const inbox = await gw.request('GET', `/sms/v3/messaging/inbox/${code}`, { headers: app.auth });
      assert.equal(inbox.status, 200, inbox.text);
      assert.equal(inbox.json().InboundSmsMessageList.InboundSmsMessage[0].Message, `to ${code}`);
    }
  });

  test('the production realm requires https listener URLs; the sandbox allows http', async () => {
    assertError(
      await admin('POST', `/apps/${production.id}/short-codes`, { shortCode: '60606', moDelivery: 'callback', listenerUrl: 'http://example.test/mo' }),
      400,
      'invalid_request',
    );
    const ok = await admin('POST', `/apps/${production.id}/short-codes`, { shortCode: '60606', moDelivery: 'callback', listenerUrl: 'https://example.test/mo' });
    assert.equal(ok.status, 201);
    const sandboxHttp = await admin('POST', `/apps/${sandbox.id}/short-codes`, { shortCode: '60607', moDelivery: 'callback', listenerUrl: 'http://example.test/mo' });
    assert.equal(sandboxHttp.status, 201);
  });

  test('DELETE /apps/{id}/short-codes/{code}: 204; another app\'s or an unknown code: 404', async () => {
    assert.equal((await admin('POST', `/apps/${sandbox.id}/short-codes`, { shortCode: '70707', moDelivery: 'poll' })).status, 201);
    assertError(await admin('DELETE', `/apps/${production.id}/short-codes/70707`), 404, 'not_found');
    assert.equal((await admin('DELETE', `/apps/${sandbox.id}/short-codes/70707`)).status, 204);
    assertError(await admin('DELETE', `/apps/${sandbox.id}/short-codes/70707`), 404, 'not_found');
    const list = await admin('GET', `/apps/${sandbox.id}/short-codes`);
    assert.ok(!list.json().shortCodes.some((s: any) => s.shortCode === '70707'));
  });
});

describe('errors raised below the operator routes', () => {
  // From a fuzzing walk: these answered the API's wire ids ("SVC0002", "POL0011") as the code,
  // with the API's "%1" template as the message.
  const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    gw.request(method, path, { headers: { ...ADMIN_AUTH, ...headers }, ...(body === undefined ? {} : { body }) });

  test('a path the router cannot read and a malformed or undecodable body: the operator codes, a plain message', async () => {
    const cases: [number, string, Promise<{ status: number; json(): any; text: string }>][] = [
      [400, 'invalid_request', raw('POST', '/admin/v1/apps/%zz')],
      [414, 'invalid_request', raw('GET', `/admin/v1/apps/${'a'.repeat(101)}`)],
      [400, 'invalid_request', raw('PUT', '/sim/v1/handsets/4255550100', { 'content-type': 'application/json' }, '{"online":')],
      [415, 'unsupported_media_type', raw('PUT', '/sim/v1/handsets/4255550100', { 'content-type': 'application/xml' }, '<online>true</x>')],
      [415, 'unsupported_media_type', raw('PUT', '/sim/v1/handsets/4255550100', { 'content-type': 'application/json; charset=bogus' }, '{}')],
    ];
    for (const [status, code, pending] of cases) {
      const res = await pending;
      assertError(res, status, code);
      assert.doesNotMatch(res.json().error.message, /%\d|SVC|POL/);
    }
  });
});
