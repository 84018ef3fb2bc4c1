import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { browserMissing, launchBrowser } from '../console/browser.js';
import { FAST, FORM, XML } from './send-helpers.js';

/*
 * /docs is Swagger UI over /openapi.json; its "Try it out" builds a request from the document: a
 * JSON or XML body from the media type's example (XML only when the schema names its root
 * element), a form from the form schema's properties, each field pre-filled with its `example`.
 * What it would send is checked here on every operation against the gateway, and in chromium on
 * the operations a new user tries first.
 */

const skip = browserMissing();

let gw: TestGateway;
let app: TestApp;
let doc: any;

before(async () => {
  gw = await startTestGateway(FAST);
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] });
  doc = (await gw.request('GET', '/openapi.json')).json();
});
after(async () => {
  await gw.close();
});

const API_BODY_PATH = /^\/(sms\/v3|rest\/sms\/2|[123]\/smsmessaging)\//;

/** Every API operation with a body: its path with the path parameters' examples filled in. */
function bodyOperations(): Array<{ where: string; url: string; content: any }> {
  const out: Array<{ where: string; url: string; content: any }> = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    if (!API_BODY_PATH.test(path)) continue;
    for (const [method, op] of Object.entries<any>(item)) {
      if (op?.requestBody === undefined) continue;
      // The examples are already URL-encoded (`tel%3A22627000`), as a client writes them in a path.
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => String(op.parameters.find((p: any) => p.name === name).example));
      out.push({ where: `${method.toUpperCase()} ${path}`, url, content: op.requestBody.content });
    }
  }
  return out;
}

/** The form Swagger UI fills in from a form schema: each property's example. */
function formOfSchema(schema: any): string {
  return new URLSearchParams(Object.entries<any>(schema?.properties ?? {}).map(([key, p]): [string, string] => [key, String(p.example ?? 'string')])).toString();
}

test('every API operation\'s form schema lists the flat keys its form example uses, and its XML schema names the root element', () => {
  const wrong: string[] = [];
  for (const { where, content } of bodyOperations()) {
    const form = content['application/x-www-form-urlencoded'];
    if (form !== undefined) {
      const keys = [...new URLSearchParams(String(form.example)).keys()];
      const props = Object.keys(form.schema?.properties ?? {});
      const missing = keys.filter((k) => !props.includes(k));
      if (missing.length > 0) wrong.push(`${where} form: example keys ${JSON.stringify(missing)} not in schema properties ${JSON.stringify(props)}`);
      const unfilled = props.filter((k) => form.schema.properties[k].example === undefined);
      if (unfilled.length > 0) wrong.push(`${where} form: properties without an example ${JSON.stringify(unfilled)}`);
    }
    const xml = content['application/xml'];
    if (xml !== undefined) {
      const root = /^<([A-Za-z][\w.-]*)/.exec(String(xml.example).replace(/^<\?xml[^>]*\?>\s*/, ''))?.[1];
      if (xml.schema?.xml?.name !== root) wrong.push(`${where} xml: schema root ${JSON.stringify(xml.schema?.xml?.name)} ≠ example root <${root}>`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('what /docs would send in each form and XML media type is accepted by the gateway', async () => {
  const operations = bodyOperations();
  assert.equal(operations.length, 11, 'v3 and v2 Send SMS, OneAPI Send SMS and both subscriptions on /1 /2 /3');
  const refused: string[] = [];
  for (const { where, url, content } of operations) {
    for (const [type, body] of [
      [FORM, formOfSchema(content['application/x-www-form-urlencoded'].schema)],
      [XML, String(content['application/xml'].example)],
    ] as const) {
      const res = await gw.request('POST', url, { headers: { ...app.auth, ...type }, body });
      if (res.status >= 300) refused.push(`${where} ${type['content-type']}: ${res.status} ${res.text}\nsent: ${body}`);
    }
  }
  assert.deepEqual(refused, []);
});

test('OneAPI Send SMS: the executable examples ask for no replay and no notification; the schema still documents both', () => {
  const send = doc.paths['/2/smsmessaging/outbound/{senderAddress}/requests'].post;
  const content = send.requestBody.content;
  assert.doesNotMatch(JSON.stringify(content['application/json'].example), /clientCorrelator|notifyURL/);
  assert.doesNotMatch(content['application/xml'].example, /clientCorrelator|notifyURL/);
  const form = content['application/x-www-form-urlencoded'];
  assert.doesNotMatch(form.example, /clientCorrelator|notifyURL/);
  // Swagger UI fills each form field with its example, and sends what is filled.
  assert.equal(form.schema.properties.clientCorrelator.example, '');
  assert.equal(form.schema.properties.notifyURL.example, '');
  const inner = content['application/json'].schema.properties.outboundSMSMessageRequest.properties;
  assert.match(inner.clientCorrelator.description, /repeat/);
  assert.match(inner.receiptRequest.properties.notifyURL.description, /deliveryInfoNotification/);
  assert.match(send.requestBody.description, /clientCorrelator/);
});

test('Send SMS: the documented 403 is what a throttled send answers; the 400 lists exactly the ids the gateway answers', async () => {
  const limited = await createApp(gw, { shortCodes: [{ shortCode: '22627001', moDelivery: 'poll' }], ratePerDay: 1 });
  const v3 = (body: object, headers: Record<string, string> = limited.auth) => gw.request('POST', '/sms/v3/messaging/outbox', { headers, body });
  assert.equal((await v3({ address: 'tel:+14255550150', message: 'one' })).status, 201);
  const throttled = await v3({ address: 'tel:+14255550150', message: 'two' });
  assert.equal(throttled.status, 403, throttled.text);
  const send = doc.paths['/sms/v3/messaging/outbox'].post;
  assert.deepEqual(send.responses['403'].content['application/json'].example, { RequestError: { PolicyException: { MessageId: 'POL0001', Text: 'A policy error occurred. Error code is %1', Variables: 'Rate limit exceeded' } } });
  assert.deepEqual(throttled.json().RequestError.PolicyException.Variables, 'Daily quota exceeded');
  assert.match(send.responses['403'].description, /Rate limit exceeded.*Daily quota exceeded/);

  const landline = '+14255550151';
  assert.equal((await gw.request('PUT', `/sim/v1/handsets/${encodeURIComponent(landline)}`, { body: { kind: 'landline' } })).status, 200);
  const to = 'tel:+14255550152';
  const many = Array.from({ length: 51 }, (_, i) => `tel:+1425555${String(1000 + i)}`);
  const provoke: Record<string, (send: (body: object, headers?: Record<string, string>) => Promise<{ status: number; json(): any }>) => Promise<{ status: number; json(): any }>> = {
    SVC0001: (s) => s({ address: landline, message: 'x' }),
    SVC0002: (s) => s({ address: to, message: '' }),
    SVC0003: (s) => s({ address: to, message: 'x', notifyDeliveryStatus: 'maybe' }),
    SVC0004: (s) => s({ address: 'nobody', message: 'x' }),
    SVC0280: (s) => s({ address: to, message: 'x'.repeat(4097) }),
    SVC0283: (s) => s({ address: to, message: 'x', notifyDeliveryStatus: true }),
    POL0001: (s) => s({ address: to, message: 'x' }, {}),
    POL0003: (s) => s({ address: many, message: 'x' }),
    POL0013: (s) => s({ address: [to, to], message: 'x' }),
  };
  const oneapiSend = (body: any, headers: Record<string, string> = app.auth) =>
    gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627000/requests', { headers, body: { ...body, message: undefined, notifyDeliveryStatus: undefined, outboundSMSTextMessage: { message: body.message } } });
  for (const [path, post, ids] of [
    ['/sms/v3/messaging/outbox', (body: object, headers?: Record<string, string>) => gw.request('POST', '/sms/v3/messaging/outbox', { headers: headers ?? app.auth, body }), Object.keys(provoke)],
    ['/rest/sms/2/messaging/outbox', (body: object, headers?: Record<string, string>) => gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: headers ?? app.auth, body }), Object.keys(provoke)],
    ['/2/smsmessaging/outbound/{senderAddress}/requests', oneapiSend, Object.keys(provoke).filter((id) => id !== 'SVC0003' && id !== 'SVC0283')],
  ] as const) {
    for (const id of ids) {
      const res = await provoke[id]!(post);
      assert.equal(res.status, 400, `${path} ${id}`);
      const envelope = res.json().RequestError ?? res.json().requestError;
      const exception = envelope.ServiceException ?? envelope.PolicyException ?? envelope.serviceException ?? envelope.policyException;
      assert.equal(exception.MessageId ?? exception.messageId, id, `${path}: the request meant to provoke ${id}`);
    }
    const listed = (doc.paths[path].post.responses['400'].description.match(/\b(SVC|POL)\d{4}\b/g) ?? []).sort();
    assert.deepEqual(listed, [...ids].sort(), `${path}: the 400 description`);
  }
});

describe('/docs "Try it out" in chromium', { skip, timeout: 180_000 }, () => {
  let browser: Browser;
  let page: Page;
  const opened = new Set<string>();

  /** /docs authorized as the README's user would: OAuth client credentials with the App Key and Secret. */
  before(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(`${gw.url}/docs`, { waitUntil: 'networkidle' });
    await page.click('button.authorize');
    const oauth = page.locator('.modal-ux .auth-container').filter({ hasText: 'clientCredentials' }).first();
    await oauth.locator('#client_id_clientCredentials').fill(app.appKey);
    await oauth.locator('#client_secret_clientCredentials').fill(app.appSecret);
    await oauth.getByText('select all').click();
    await oauth.locator('button.authorize').click();
    await oauth.getByText('Authorized').waitFor();
    await page.locator('.modal-ux button.close-modal').click();
  });
  after(async () => {
    await browser?.close();
  });

  /** In POST `path` (opened and switched to Try it out the first time), picks the body media type and executes; the API's answer and what was sent. */
  async function tryItOut(path: string, mediaType: string): Promise<{ status: number; body: string; sent: string | null }> {
    const op = page.locator('.opblock').filter({ has: page.locator(`[data-path="${path}"]`) }).filter({ hasText: 'POST' }).first();
    if (!opened.has(path)) {
      await op.locator('.opblock-summary').first().click();
      await op.locator('button.try-out__btn').first().click();
      opened.add(path);
    }
    await op.locator('.opblock-section-request-body select').first().selectOption(mediaType);
    const answered = page.waitForResponse((r) => /\/(outbox|requests)$/.test(r.url()) && r.request().method() === 'POST');
    await op.locator('button.execute').click();
    const res = await answered;
    return { status: res.status(), body: await res.text(), sent: res.request().postData() };
  }

  test('OneAPI Send SMS executed twice sends twice (no clientCorrelator replay)', async () => {
    const path = '/2/smsmessaging/outbound/{senderAddress}/requests';
    const first = await tryItOut(path, 'application/json');
    const second = await tryItOut(path, 'application/json');
    assert.equal(second.status, 201, second.body);
    assert.notEqual(second.body, first.body, `the second Execute was answered as the first: ${second.sent}`);
  });

  for (const path of ['/sms/v3/messaging/outbox', '/2/smsmessaging/outbound/{senderAddress}/requests']) {
    // The form last: Swagger UI keeps a form's values when another media type is picked after it,
    // and sends them as a JSON object under that type (its behaviour, whatever the document says).
    for (const mediaType of ['application/json', 'application/xml', 'application/x-www-form-urlencoded']) {
      test(`POST ${path} with ${mediaType}: what /docs sends is sent`, async () => {
        const res = await tryItOut(path, mediaType);
        assert.equal(res.status, 201, `${res.body}\nsent: ${res.sent}`);
      });
    }
  }
});
