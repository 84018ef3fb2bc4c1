import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp, type TestApp } from '../helpers/apps.js';
import { partsOf, sendMo } from '../inbound/mo.js';
import { startListener, type TestListener } from '../webhooks/listener.js';

let gw: TestGateway;
let app: TestApp;
let other: TestApp;
const listeners: TestListener[] = [];

before(async () => {
  gw = await startTestGateway({ SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '10', SWITCHBOARD_RETRY_BASE_MS: '50' });
  app = await createApp(gw, {
    shortCodes: [
      { shortCode: '22627400', moDelivery: 'poll' },
      { shortCode: '22627401', moDelivery: 'poll' },
      { shortCode: '22627402', moDelivery: 'poll' },
      { shortCode: '22627403', moDelivery: 'poll' },
      { shortCode: '22627405', moDelivery: 'poll' },
      { shortCode: '22627407', moDelivery: 'poll' },
    ],
  });
  other = await createApp(gw, { shortCodes: [{ shortCode: '22627499', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
  await Promise.all(listeners.map((l) => l.close()));
});

async function listener(): Promise<TestListener> {
  const l = await startListener();
  listeners.push(l);
  return l;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = encodeURIComponent;

async function oneapiSend(sender: string, address: string, message: string) {
  const res = await gw.request('POST', `/2/smsmessaging/outbound/${enc(`tel:${sender}`)}/requests`, {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: [address], outboundSMSTextMessage: { message } } },
  });
  assert.equal(res.status, 201, res.text);
  return res.json().resourceReference.resourceURL.split('/').pop() as string;
}

async function inbox(code: string): Promise<string[]> {
  const res = await gw.request('GET', `/sms/v3/messaging/inbox/${code}`, { headers: app.auth });
  assert.equal(res.status, 200, res.text);
  return res.json().InboundSmsMessageList.InboundSmsMessage.map((m: any) => m.Message);
}

test('delivery-receipt subscription: OneAPI sends from the sender without receiptRequest notify its URL', async () => {
  const l = await listener();
  const created = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:22627400')}/subscriptions`, {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: l.url, callbackData: 'dr-sub' }, clientCorrelator: 'c-1' } },
  });
  assert.equal(created.status, 201, created.text);
  const sub = created.json().deliveryReceiptSubscription;
  // Only the contract's two fields: the GSMA reference Java library fails on any other.
  assert.deepEqual(Object.keys(sub), ['callbackReference', 'resourceURL']);
  assert.deepEqual(sub.callbackReference, { notifyURL: l.url, callbackData: 'dr-sub' });
  assert.match(sub.resourceURL, /\/2\/smsmessaging\/outbound\/tel%3A22627400\/subscriptions\/sub[0-9a-f]{16}$/);
  assert.equal(created.headers.get('location'), sub.resourceURL);

  const messageId = await oneapiSend('22627400', 'tel:+14255550130', 'with subscription');
  const [r] = await l.waitFor(1);
  assert.deepEqual(JSON.parse(r!.body), {
    deliveryInfoNotification: { callbackData: 'dr-sub', messageId, deliveryInfo: { address: 'tel:+14255550130', deliveryStatus: 'DeliveredToTerminal' } },
  });

  // The same correlator again is the same subscription; for a different one it is a conflict.
  const repeat = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:22627400')}/subscriptions`, {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: l.url, callbackData: 'dr-sub' }, clientCorrelator: 'c-1' } },
  });
  assert.equal(repeat.status, 201);
  assert.equal(repeat.json().deliveryReceiptSubscription.resourceURL, sub.resourceURL);
  const conflict = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:22627400')}/subscriptions`, {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: `${l.url}/other` }, clientCorrelator: 'c-1' } },
  });
  assert.equal(conflict.status, 409, conflict.text);
  assert.equal(conflict.json().requestError.serviceException.messageId, 'SVC0005');

  // Another app cannot delete it; its owner can, on either GSMA path form; then sends are quiet.
  const id = sub.resourceURL.split('/').pop();
  const foreign = await gw.request('DELETE', `/2/smsmessaging/outbound/subscriptions/${id}`, { headers: other.auth });
  assert.equal(foreign.status, 400);
  assert.deepEqual(foreign.json().requestError.serviceException.variables, ['subscriptionId']);
  const gone = await gw.request('DELETE', `/2/smsmessaging/outbound/${enc('tel:22627400')}/subscriptions/${id}`, { headers: app.auth });
  assert.equal(gone.status, 204, gone.text);
  assert.equal((await gw.request('DELETE', `/2/smsmessaging/outbound/subscriptions/${id}`, { headers: app.auth })).status, 400);
  await oneapiSend('22627400', 'tel:+14255550131', 'without subscription');
  await sleep(600);
  assert.equal(l.received.length, 1);
});

test('delivery-receipt subscription from a v1 form body', async () => {
  const l = await listener();
  const created = await gw.request('POST', `/1/smsmessaging/outbound/${enc('tel:22627401')}/subscriptions`, {
    headers: { ...app.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ notifyURL: l.url, callbackData: 'form-data', criteria: 'ignored' }).toString(),
  });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(Object.keys(created.json().deliveryReceiptSubscription), ['callbackReference', 'resourceURL']);
  await oneapiSend('22627401', 'tel:+14255550132', 'form');
  const [r] = await l.waitFor(1);
  assert.equal(JSON.parse(r!.body).deliveryInfoNotification.callbackData, 'form-data');
});

test("subscriptions from a JSON or XML body posted as a form (AT&T's Ruby codekit's way): read as JSON and XML (they were 400 SVC0002)", async () => {
  const l = await listener();
  const own = await createApp(gw, { shortCodes: [{ shortCode: '22627404', moDelivery: 'poll' }] });
  const receipts = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:22627404')}/subscriptions`, {
    headers: { ...own.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: JSON.stringify({ deliveryReceiptSubscription: { callbackReference: { notifyURL: l.url, callbackData: 'json-form' } } }),
  });
  assert.equal(receipts.status, 201, receipts.text);
  const inbound = await gw.request('POST', '/2/smsmessaging/inbound/subscriptions', {
    headers: { ...own.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: `<subscription><callbackReference><notifyURL>${l.url}</notifyURL><callbackData>xml-form</callbackData></callbackReference><destinationAddress>22627404</destinationAddress></subscription>`,
  });
  assert.equal(inbound.status, 201, inbound.text);
  await sendMo(gw, '+14255550135', '22627404', 'to the xml-form subscription');
  const [r] = await l.waitFor(1);
  assert.equal(JSON.parse(r!.body).inboundSMSMessageNotification.callbackData, 'xml-form');
});

test("subscriptions posted as fetch()'s default `text/plain;charset=UTF-8`: a JSON or XML body is read as one (they were 400 SVC0002)", async () => {
  const l = await listener();
  const own = await createApp(gw, { shortCodes: [{ shortCode: '22627406', moDelivery: 'poll' }] });
  const TEXT = { 'content-type': 'text/plain;charset=UTF-8' };
  const receipts = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:22627406')}/subscriptions`, {
    headers: { ...own.auth, ...TEXT },
    body: JSON.stringify({ deliveryReceiptSubscription: { callbackReference: { notifyURL: l.url, callbackData: 'json-text' } } }),
  });
  assert.equal(receipts.status, 201, receipts.text);
  const inbound = await gw.request('POST', '/2/smsmessaging/inbound/subscriptions', {
    headers: { ...own.auth, ...TEXT },
    body: `<subscription><callbackReference><notifyURL>${l.url}</notifyURL><callbackData>xml-text</callbackData></callbackReference><destinationAddress>22627406</destinationAddress></subscription>`,
  });
  assert.equal(inbound.status, 201, inbound.text);
  await sendMo(gw, '+14255550136', '22627406', 'to the xml-text subscription');
  const [r] = await l.waitFor(1);
  assert.equal(JSON.parse(r!.body).inboundSMSMessageNotification.callbackData, 'xml-text');
});

test('inbound subscription: MO to the short code goes to notifyURL in the OneAPI form, by keyword, instead of the inbox', async () => {
  const all = await listener();
  const stop = await listener();
  const a = await gw.request('POST', '/2/smsmessaging/inbound/subscriptions', {
    headers: app.auth,
    body: { subscription: { callbackReference: { notifyURL: all.url, callbackData: 'in-1' }, destinationAddress: '22627402', notificationFormat: 'JSON' } },
  });
  assert.equal(a.status, 201, a.text);
  const url = a.json().resourceReference.resourceURL;
  assert.match(url, /\/2\/smsmessaging\/inbound\/subscriptions\/sub[0-9a-f]{16}$/);
  assert.equal(a.headers.get('location'), url);
  const b = await gw.request('POST', '/2/smsmessaging/inbound/subscriptions', {
    headers: app.auth,
    body: { subscription: { callbackReference: { notifyURL: stop.url }, destinationAddress: 'tel:22627402', criteria: 'STOP' } },
  });
  assert.equal(b.status, 201, b.text);

  await sendMo(gw, '+14255550133', '22627402', 'hello there');
  await sendMo(gw, '+14255550133', '22627402', 'stop please');
  const [r] = await all.waitFor(1);
  const [s] = await stop.waitFor(1);
  const body = JSON.parse(r!.body);
  assert.equal(body.inboundSMSMessageNotification.callbackData, 'in-1');
  const m = body.inboundSMSMessageNotification.inboundSMSMessage;
  assert.deepEqual(Object.keys(m), ['dateTime', 'destinationAddress', 'messageId', 'message', 'senderAddress']);
  assert.match(m.dateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(m.destinationAddress, '22627402');
  assert.equal(m.message, 'hello there');
  assert.equal(m.senderAddress, 'tel:+14255550133');
  assert.equal(r!.headers['x-switchboard-event-id'], m.messageId);
  const stopped = JSON.parse(s!.body).inboundSMSMessageNotification;
  assert.equal(stopped.callbackData, undefined);
  assert.equal(stopped.inboundSMSMessage.message, 'stop please');
  assert.deepEqual(await inbox('22627402'), []);

  // Deleted: messages wait in the poll inbox again.
  assert.equal((await gw.request('DELETE', new URL(url).pathname, { headers: app.auth })).status, 204);
  assert.equal((await gw.request('DELETE', new URL(b.json().resourceReference.resourceURL).pathname, { headers: app.auth })).status, 204);
  await sendMo(gw, '+14255550133', '22627402', 'back to polling');
  assert.deepEqual(await inbox('22627402'), ['back to polling']);
  assert.equal(all.received.length, 1);
});

test('inbound subscriptions by keyword: with more than 100 on the short code, the oldest still gets its messages, whole or in parts', async () => {
  const l = await listener();
  for (let i = 0; i <= 100; i++) {
    const res = await gw.request('POST', '/2/smsmessaging/inbound/subscriptions', {
      headers: app.auth,
      body: { subscription: { callbackReference: { notifyURL: l.url, callbackData: `kw${i}` }, destinationAddress: '22627405', criteria: `KW${i}` } },
    });
    assert.equal(res.status, 201, res.text);
  }
  // Routing read the short code's newest 100 only: KW0's messages went to the inbox.
  await sendMo(gw, '+14255550135', '22627405', 'KW0 first keyword');
  await sendMo(gw, '+14255550135', '22627405', 'kw100, last keyword');
  for (const p of partsOf(`Kw1 ${'in a long message '.repeat(12)}`, '+14255550135', '22627405', 31)) await gw.gateway.ctx.inbound.acceptPart(p);
  await l.waitFor(3);
  assert.deepEqual(l.received.map((r) => JSON.parse(r.body).inboundSMSMessageNotification.callbackData).sort(), ['kw0', 'kw1', 'kw100']);
  assert.deepEqual(await inbox('22627405'), []);
});

test('inbound subscription with notificationFormat XML, created from an XML body', async () => {
  const l = await listener();
  const res = await gw.request('POST', '/3/smsmessaging/inbound/subscriptions', {
    headers: { ...app.auth, 'content-type': 'application/xml' },
    body: `<subscription><callbackReference><notifyURL>${l.url}</notifyURL><callbackData>xml-data</callbackData></callbackReference><destinationAddress>22627403</destinationAddress><notificationFormat>XML</notificationFormat></subscription>`,
  });
  assert.equal(res.status, 201, res.text);
  await sendMo(gw, '+14255550134', '22627403', 'in xml');
  const [r] = await l.waitFor(1);
  assert.match(String(r!.headers['content-type']), /^application\/xml/);
  assert.match(
    r!.body,
    /^<\?xml version="1.0" encoding="UTF-8"\?><inboundSMSMessageNotification><callbackData>xml-data<\/callbackData><inboundSMSMessage><dateTime>[^<]+<\/dateTime><destinationAddress>22627403<\/destinationAddress><messageId>MO[0-9a-f]{24}<\/messageId><message>in xml<\/message><senderAddress>tel:\+14255550134<\/senderAddress><\/inboundSMSMessage><\/inboundSMSMessageNotification>$/,
  );
  // A handset's CRLF as character references: an XML parser would read a raw CR as LF.
  await sendMo(gw, '+14255550134', '22627403', 'in\r\nxml');
  const [, crlf] = await l.waitFor(2);
  assert.match(crlf!.body, /<message>in&#13;\nxml<\/message>/);
});

test('GET on a subscription’s resourceURL: the subscription, in JSON or XML, to its own app only (it was 405)', async () => {
  const l = await listener();
  const notFound = { requestError: { serviceException: { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: ['subscriptionId'] } } };
  const receipts = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:22627407')}/subscriptions`, {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: l.url, callbackData: 'dr-get' }, clientCorrelator: 'get-dr' } },
  });
  assert.equal(receipts.status, 201, receipts.text);
  const receiptsUrl: string = receipts.json().deliveryReceiptSubscription.resourceURL;
  const receiptsId = receiptsUrl.split('/').pop();
  // Both GSMA path forms (the sender encoded, plain or left out), as DELETE takes them.
  for (const path of [
    new URL(receiptsUrl).pathname,
    `/2/smsmessaging/outbound/tel:22627407/subscriptions/${receiptsId}`,
    `/2/smsmessaging/outbound/22627407/subscriptions/${receiptsId}`,
    `/2/smsmessaging/outbound/subscriptions/${receiptsId}`,
  ]) {
    const res = await gw.request('GET', path, { headers: app.auth });
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.deepEqual(res.json(), receipts.json(), path);
  }
  const receiptsXml = await gw.request('GET', `/2/smsmessaging/outbound/subscriptions/${receiptsId}`, { headers: { ...app.auth, accept: 'application/xml' } });
  assert.equal(receiptsXml.headers.get('content-type'), 'application/xml');
  assert.equal(
    receiptsXml.text,
    `<?xml version="1.0" encoding="UTF-8"?><deliveryReceiptSubscription><callbackReference><notifyURL>${l.url}</notifyURL><callbackData>dr-get</callbackData></callbackReference><resourceURL>${receiptsUrl}</resourceURL></deliveryReceiptSubscription>`,
  );

  const inbound = await gw.request('POST', '/3/smsmessaging/inbound/subscriptions', {
    headers: { ...app.auth, 'content-type': 'application/xml' },
    body: `<subscription><callbackReference><notifyURL>${l.url}</notifyURL></callbackReference><destinationAddress>tel:22627407</destinationAddress><criteria>JOIN</criteria><notificationFormat>XML</notificationFormat><clientCorrelator>get-in</clientCorrelator></subscription>`,
  });
  assert.equal(inbound.status, 201, inbound.text);
  const inboundUrl: string = inbound.json().resourceReference.resourceURL;
  const inboundPath = new URL(inboundUrl).pathname;
  const read = await gw.request('GET', inboundPath, { headers: app.auth });
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.json(), {
    subscription: { callbackReference: { notifyURL: l.url }, destinationAddress: '22627407', criteria: 'JOIN', notificationFormat: 'XML', clientCorrelator: 'get-in', resourceURL: inboundUrl },
  });
  const readXml = await gw.request('GET', inboundPath, { headers: { ...app.auth, accept: 'application/xml' } });
  assert.equal(
    readXml.text,
    `<?xml version="1.0" encoding="UTF-8"?><subscription><callbackReference><notifyURL>${l.url}</notifyURL></callbackReference><destinationAddress>22627407</destinationAddress><criteria>JOIN</criteria><notificationFormat>XML</notificationFormat><clientCorrelator>get-in</clientCorrelator><resourceURL>${inboundUrl}</resourceURL></subscription>`,
  );

  // Another app's, the other kind's, an unknown id: all alike, as DELETE answers them.
  const inboundId = inboundUrl.split('/').pop();
  for (const [path, who] of [
    [inboundPath, other],
    [`/2/smsmessaging/outbound/subscriptions/${receiptsId}`, other],
    [`/2/smsmessaging/outbound/subscriptions/${inboundId}`, app],
    [`/2/smsmessaging/inbound/subscriptions/${receiptsId}`, app],
    ['/2/smsmessaging/inbound/subscriptions/sub0000000000000000', app],
  ] as const) {
    const res = await gw.request('GET', path, { headers: who.auth });
    assert.equal(res.status, 400, path);
    assert.deepEqual(res.json(), notFound, path);
  }
  const foreignXml = await gw.request('GET', inboundPath, { headers: { ...other.auth, accept: 'application/xml' } });
  assert.match(foreignXml.text, /<requestError><serviceException><messageId>SVC0002<\/messageId>.*<variables>subscriptionId<\/variables>/);

  // Methods the standard does not define there: 405 as before, now with GET allowed.
  const put = await gw.request('PUT', inboundPath, { headers: app.auth, body: {} });
  assert.equal(put.status, 405);
  assert.deepEqual((put.headers.get('allow') ?? '').split(', ').sort(), ['DELETE', 'GET', 'HEAD']);

  // Deleted: gone for GET too.
  assert.equal((await gw.request('DELETE', inboundPath, { headers: app.auth })).status, 204);
  assert.equal((await gw.request('DELETE', new URL(receiptsUrl).pathname, { headers: app.auth })).status, 204);
  assert.equal((await gw.request('GET', inboundPath, { headers: app.auth })).status, 400);
  assert.equal((await gw.request('GET', new URL(receiptsUrl).pathname, { headers: app.auth })).status, 400);
});

test('subscription refusals', async () => {
  const l = await listener();
  const inbound = (body: object, who = app) => gw.request('POST', '/2/smsmessaging/inbound/subscriptions', { headers: who.auth, body });
  const variables = (res: any) => res.json().requestError[res.json().requestError.serviceException ? 'serviceException' : 'policyException'];

  const foreign = await inbound({ subscription: { callbackReference: { notifyURL: l.url }, destinationAddress: '22627499' } });
  assert.equal(foreign.status, 400);
  assert.deepEqual(variables(foreign).variables, ['destinationAddress']);
  const missingDest = await inbound({ subscription: { callbackReference: { notifyURL: l.url } } });
  assert.deepEqual(variables(missingDest).variables, ['destinationAddress']);
  const missingUrl = await inbound({ subscription: { destinationAddress: '22627403' } });
  assert.equal(missingUrl.status, 400);
  assert.deepEqual(variables(missingUrl).variables, ['notifyURL']);
  const self = await inbound({ subscription: { callbackReference: { notifyURL: `${gw.url}/healthz` }, destinationAddress: '22627403' } });
  assert.deepEqual(variables(self).variables, ['notifyURL']);
  const format = await inbound({ subscription: { callbackReference: { notifyURL: l.url }, destinationAddress: '22627403', notificationFormat: 'CSV' } });
  assert.equal(format.status, 400);
  assert.equal(variables(format).messageId, 'SVC0003');
  assert.deepEqual(variables(format).variables, ['notificationFormat', 'JSON,XML']);

  const notOwned = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:22627499')}/subscriptions`, {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: l.url } } },
  });
  assert.equal(notOwned.status, 403, notOwned.text);
  assert.equal(variables(notOwned).messageId, 'POL0002');
  const notCode = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:+14255550100')}/subscriptions`, {
    headers: app.auth,
    body: { deliveryReceiptSubscription: { callbackReference: { notifyURL: l.url } } },
  });
  assert.equal(variables(notCode).messageId, 'SVC0004');
  // A clientCorrelator is stored and indexed: it was bounded only by the body limit (64 KB).
  const long = 'c'.repeat(256);
  const longInbound = await inbound({ subscription: { callbackReference: { notifyURL: l.url }, destinationAddress: '22627403', clientCorrelator: long } });
  assert.equal(longInbound.status, 400, longInbound.text);
  assert.deepEqual(variables(longInbound).variables, ['clientCorrelator']);
  const longReceipts = await gw.request('POST', `/2/smsmessaging/outbound/${enc('tel:22627403')}/subscriptions`, {
    headers: { ...app.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ notifyURL: l.url, clientCorrelator: long }).toString(),
  });
  assert.equal(longReceipts.status, 400, longReceipts.text);
  assert.deepEqual(variables(longReceipts).variables, ['clientCorrelator']);
  const unknown = await gw.request('DELETE', '/2/smsmessaging/inbound/subscriptions/sub0000000000000000', { headers: app.auth });
  assert.equal(unknown.status, 400);
  const anonymous = await gw.request('POST', '/2/smsmessaging/inbound/subscriptions', { body: {} });
  assert.equal(anonymous.status, 400);
  assert.equal(anonymous.json().requestError.policyException.messageId, 'POL0001');
});
