import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_AUTH, createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST, FORM, XML, handsetMessages } from './send-helpers.js';

let gw: TestGateway;
let app: TestApp;
let next = 2000;
const number = () => `+1425201${String(next++).padStart(4, '0')}`;

before(async () => {
  gw = await startTestGateway({ ...FAST, SWITCHBOARD_MAX_RECIPIENTS: '5' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627100', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

function v3(body: unknown, headers: Record<string, string> = app.auth) {
  return gw.request('POST', '/sms/v3/messaging/outbox', { headers, body: body as object });
}

/** Asserts the AT&T PascalCase error envelope. */
function attError(res: { status: number; json(): any; text: string }, status: number, id: string, variables?: string) {
  assert.equal(res.status, status, res.text);
  const body = res.json().RequestError;
  const exception = body.ServiceException ?? body.PolicyException;
  assert.ok(exception, res.text);
  assert.equal(exception.MessageId, id);
  assert.equal(typeof exception.Text, 'string');
  assert.equal(id.startsWith('POL') ? 'PolicyException' in body : 'ServiceException' in body, true);
  if (variables !== undefined) assert.equal(exception.Variables, variables);
}

function oneapiError(res: { status: number; json(): any; text: string }, status: number, id: string, variables?: string[]) {
  assert.equal(res.status, status, res.text);
  const body = res.json().requestError;
  const exception = body.serviceException ?? body.policyException;
  assert.equal(exception.messageId, id);
  if (variables !== undefined) assert.deepEqual(exception.variables, variables);
}

test('no Authorization header: 400 POL0001; a bad token: 401 with WWW-Authenticate', async () => {
  attError(await v3({ outboundSMSRequest: { address: number(), message: 'x' } }, {}), 400, 'POL0001');
  const bad = await v3({ outboundSMSRequest: { address: number(), message: 'x' } }, { authorization: 'Bearer nope' });
  attError(bad, 401, 'POL0001');
  assert.ok(bad.headers.get('www-authenticate'));
});

test('a token without the SMS scope: 403 POL0001', async () => {
  const other = await createApp(gw, { scopes: ['SMS', 'MMS'], tokenScope: 'MMS', shortCodes: [{ shortCode: '22627101', moDelivery: 'poll' }] });
  attError(await v3({ outboundSMSRequest: { address: number(), message: 'x' } }, other.auth), 403, 'POL0001');
});

test('a suspended app: 403 POL1010, nothing sent', async () => {
  const other = await createApp(gw, { shortCodes: [{ shortCode: '22627102', moDelivery: 'poll' }] });
  const patch = await gw.request('PATCH', `/admin/v1/apps/${other.id}`, { headers: ADMIN_AUTH, body: { suspended: true } });
  assert.equal(patch.status, 200, patch.text);
  const to = number();
  attError(await v3({ outboundSMSRequest: { address: to, message: 'x' } }, other.auth), 403, 'POL1010');
});

test('an app without a short code may not send: 403 POL0002 (AT&T) and OneAPI for a code it does not hold', async () => {
  const bare = await createApp(gw);
  attError(await v3({ outboundSMSRequest: { address: number(), message: 'x' } }, bare.auth), 403, 'POL0002');
  const res = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627100/requests', {
    headers: bare.auth,
    body: { outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: 'x' } } },
  });
  oneapiError(res, 403, 'POL0002', ['tel:22627100']);
});

test('addresses: none, null, malformed, not ten digits, e-mail, group or short code → 400 SVC0004 Address', async () => {
  const notTenDigits = ['tel:123456789', '+4255550100', '142555501000', '+442079460958'];
  for (const address of [undefined, null, '', [], 'tel:12', 'not-a-number', ...notTenDigits, 'someone@example.com', 'map:group', 'short:22627100', 'tel:22627100', ['tel:+14252011999', 'junk']]) {
    const res = await v3({ outboundSMSRequest: { address, message: 'x' } });
    attError(res, 400, 'SVC0004', 'Address');
    assert.equal(res.json().RequestError.ServiceException.Text, 'No valid addresses provided in the message part %1');
  }
});

test('a landline or off-net number: 400 SVC0001 Address, nothing sent', async () => {
  for (const kind of ['landline', 'offnet']) {
    const to = number();
    const put = await gw.request('PUT', `/sim/v1/handsets/${encodeURIComponent(to)}`, { body: { kind } });
    assert.equal(put.status, 200, put.text);
    attError(await v3({ outboundSMSRequest: { address: [number(), to], message: 'x' } }), 400, 'SVC0001', 'Address');
    assert.equal((await handsetMessages(gw, to)).length, 0);
  }
});

test('message missing, empty or null: 400 SVC0002 Message', async () => {
  for (const message of [undefined, '', null, 42, { text: 'x' }]) {
    attError(await v3({ outboundSMSRequest: { address: number(), message } }), 400, 'SVC0002', 'Message');
  }
});

test('4096 characters are accepted; 4097 are 400 SVC0280 with Variables 4096', async () => {
  assert.equal((await v3({ outboundSMSRequest: { address: number(), message: 'a'.repeat(4096) } })).status, 201);
  attError(await v3({ outboundSMSRequest: { address: number(), message: 'a'.repeat(4097) } }), 400, 'SVC0280', '4096');
});

test('the same number twice (in two spellings): 400 POL0013 naming it', async () => {
  const to = number();
  const res = await v3({ outboundSMSRequest: { address: [`tel:${to}`, to.slice(2)], message: 'x' } });
  attError(res, 400, 'POL0013', `tel:${to}`);
});

test('more recipients than SWITCHBOARD_MAX_RECIPIENTS: 400 POL0003 Address; the limit itself is fine', async () => {
  const five = Array.from({ length: 5 }, number);
  assert.equal((await v3({ outboundSMSRequest: { address: five, message: 'x' } })).status, 201);
  attError(await v3({ outboundSMSRequest: { address: Array.from({ length: 6 }, number), message: 'x' } }), 400, 'POL0003', 'Address');
});

test('notifyDeliveryStatus true without a delivery status URL: 400 SVC0283; not a boolean: SVC0003', async () => {
  attError(await v3({ outboundSMSRequest: { address: number(), message: 'x', notifyDeliveryStatus: true } }), 400, 'SVC0283');
  attError(await v3({ outboundSMSRequest: { address: number(), message: 'x', notifyDeliveryStatus: 'maybe' } }), 400, 'SVC0003', 'notifyDeliveryStatus,true,false');
});

test('wrong wrapper, empty body, unsupported media type, DOCTYPE', async () => {
  attError(await v3({ somethingElse: { address: number(), message: 'x' } }), 400, 'SVC0002', 'outboundSMSRequest');
  attError(await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth }), 400, 'SVC0002', 'outboundSMSRequest');
  attError(await gw.request('POST', '/sms/v3/messaging/outbox', { headers: { ...app.auth, 'content-type': 'text/plain' }, body: 'hello' }), 400, 'SVC0002', 'outboundSMSRequest');
  attError(await gw.request('POST', '/sms/v3/messaging/outbox', { headers: { ...app.auth, 'content-type': 'application/octet-stream' }, body: 'hello' }), 415, 'POL0011');
  const doctype = await gw.request('POST', '/sms/v3/messaging/outbox', {
    headers: { ...app.auth, ...XML },
    body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><outboundSMSRequest><address>tel:+14252011998</address><message>&e;</message></outboundSMSRequest>',
  });
  assert.equal(doctype.status, 400);
  assert.match(doctype.text, /<RequestError><ServiceException><MessageId>SVC0002<\/MessageId>/);
});

test('errors of v2 and form bodies use the same envelope', async () => {
  attError(await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: app.auth, body: { Address: 'tel:bogus', Message: 'x' } }), 400, 'SVC0004', 'Address');
  attError(await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: { ...app.auth, ...FORM }, body: `Address=${number()}&Message=` }), 400, 'SVC0002', 'Message');
});

test('OneAPI: lower-camel envelope with variables arrays; sender checks', async () => {
  const path = '/3/smsmessaging/outbound/tel%3A22627100/requests';
  const send = (body: unknown, p = path) => gw.request('POST', p, { headers: app.auth, body: body as object });
  oneapiError(await send({ outboundSMSMessageRequest: { address: 'tel:1', outboundSMSTextMessage: { message: 'x' } } }), 400, 'SVC0004', ['address']);
  oneapiError(await send({ outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: '' } } }), 400, 'SVC0002', ['message']);
  oneapiError(await send({ outboundSMSMessageRequest: { address: number(), senderAddress: 'tel:99999', outboundSMSTextMessage: { message: 'x' } } }), 400, 'SVC0004', ['senderAddress']);
  oneapiError(await send({ outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: 'x' } } }, '/3/smsmessaging/outbound/not-a-code/requests'), 400, 'SVC0004', ['senderAddress']);
  oneapiError(await send({ outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: 'x' }, receiptRequest: { notifyURL: 'ftp://x' } } }), 400, 'SVC0002', ['notifyURL']);
  oneapiError(await send({ nothing: true }), 400, 'SVC0002', ['outboundSMSMessageRequest']);
  // A receiptRequest that is not an object asked for receipts nowhere: it was ignored, and the
  // client believed it would be notified. (One without a notifyURL is taken: send.test.ts.)
  for (const receiptRequest of ['http://127.0.0.1:9/dr', 7, true, ['http://127.0.0.1:9/dr']]) {
    oneapiError(await send({ outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: 'x' }, receiptRequest } }), 400, 'SVC0002', ['receiptRequest']);
  }
  // The GSMA reference Java library's unfilled `{senderAddress}` with no sender in the body.
  oneapiError(await send({ outboundSMSMessageRequest: { address: number(), outboundSMSTextMessage: { message: 'x' } } }, '/1/smsmessaging/outbound/%7BsenderAddress%7D/requests'), 400, 'SVC0004', ['senderAddress']);
});

test('OneAPI charging information: 403 POL0008 "Charging is not supported" in JSON, XML and form bodies, nothing sent (it was sent, and the app took the user for charged)', async () => {
  const path = '/2/smsmessaging/outbound/tel%3A22627100/requests';
  const to = number();
  const json = await gw.request('POST', path, {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: [`tel:${to}`], outboundSMSTextMessage: { message: 'x' }, charging: { description: ['Alert'], currency: 'USD', amount: '0.99', code: 'A1' } } },
  });
  oneapiError(json, 403, 'POL0008');
  assert.equal(json.json().requestError.policyException.text, 'Charging is not supported');
  const xml = await gw.request('POST', '/3/smsmessaging/outbound/tel%3A22627100/requests', {
    headers: { ...app.auth, ...XML },
    body: `<outboundSMSMessageRequest><address>tel:${to}</address><outboundSMSTextMessage><message>x</message></outboundSMSTextMessage><charging><amount>0.99</amount><currency>USD</currency></charging></outboundSMSMessageRequest>`,
  });
  assert.equal(xml.status, 403, xml.text);
  assert.match(xml.text, /<policyException><messageId>POL0008<\/messageId><text>Charging is not supported<\/text>/);
  const form = new URLSearchParams({ address: `tel:${to}`, message: 'x', charging: '0.99' });
  oneapiError(await gw.request('POST', '/1/smsmessaging/outbound/22627100/requests', { headers: { ...app.auth, ...FORM }, body: form.toString() }), 403, 'POL0008');
  assert.deepEqual(await handsetMessages(gw, to), []);
  // An empty one carries nothing to refuse.
  const empty = await gw.request('POST', path, { headers: app.auth, body: { outboundSMSMessageRequest: { address: [`tel:${to}`], outboundSMSTextMessage: { message: 'x' }, charging: null } } });
  assert.equal(empty.status, 201, empty.text);
});

test('an Idempotency-Key over 255 characters: 400 SVC0002', async () => {
  attError(await v3({ outboundSMSRequest: { address: number(), message: 'x' } }, { ...app.auth, 'idempotency-key': 'k'.repeat(256) }), 400, 'SVC0002', 'Idempotency-Key');
});

test('a clientCorrelator over 255 characters: 400 SVC0002 clientCorrelator in JSON, XML and form bodies, nothing sent; 255 are taken', async () => {
  // It was bounded only by the body limit (64 KB), stored and indexed with the message.
  const path = '/2/smsmessaging/outbound/tel%3A22627100/requests';
  const long = 'c'.repeat(256);
  const json = (to: string, clientCorrelator: string) => gw.request('POST', path, { headers: app.auth, body: { outboundSMSMessageRequest: { address: `tel:${to}`, outboundSMSTextMessage: { message: 'x' }, clientCorrelator } } });
  const to = number();
  oneapiError(await json(to, long), 400, 'SVC0002', ['clientCorrelator']);
  const xml = await gw.request('POST', path, {
    headers: { ...app.auth, ...XML },
    body: `<outboundSMSMessageRequest><address>tel:${to}</address><outboundSMSTextMessage><message>x</message></outboundSMSTextMessage><clientCorrelator>${long}</clientCorrelator></outboundSMSMessageRequest>`,
  });
  assert.equal(xml.status, 400, xml.text);
  assert.match(xml.text, /<messageId>SVC0002<\/messageId>.*<variables>clientCorrelator<\/variables>/);
  const form = new URLSearchParams({ address: `tel:${to}`, message: 'x', clientCorrelator: long });
  oneapiError(await gw.request('POST', path, { headers: { ...app.auth, ...FORM }, body: form.toString() }), 400, 'SVC0002', ['clientCorrelator']);
  assert.deepEqual(await handsetMessages(gw, to), []);
  const taken = await json(to, long.slice(1));
  assert.equal(taken.status, 201, taken.text);
});
