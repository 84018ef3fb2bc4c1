import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newMessageId } from '../../src/sms/ids.js';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener, type TestListener } from '../webhooks/listener.js';
import { FAST, handsetReceives, waitFor } from './send-helpers.js';

/*
 * GET on the resourceURL a OneAPI Send SMS answers (`…/outbound/{senderAddress}/requests/{id}`):
 * OMA REST NetAPI ShortMessaging's individual outbound request. A trial found it 404 (S3) while
 * clients follow the link they were handed.
 */

let gw: TestGateway;
let app: TestApp;
let other: TestApp;
let dr: TestListener;
let next = 3000;
const number = () => `+1425202${String(next++).padStart(4, '0')}`;
const CODE = '22627300';
const XML = { accept: 'application/xml' };

before(async () => {
  gw = await startTestGateway(FAST);
  app = await createApp(gw, { shortCodes: [{ shortCode: CODE, moDelivery: 'poll' }] });
  other = await createApp(gw, { shortCodes: [{ shortCode: '22627301', moDelivery: 'poll' }] });
  dr = await startListener();
});
after(async () => {
  await gw.close();
  await dr.close();
});

/** The path of a URL the gateway answered (its origin is the test gateway's). */
const pathOf = (url: string) => new URL(url).pathname;

// `body` is the parsed JSON answer, of the shape each test asserts.
async function send(v: string, body: Record<string, unknown>, sender = `tel%3A${CODE}`): Promise<{ url: string; id: string; body: any }> {
  const res = await gw.request('POST', `/${v}/smsmessaging/outbound/${sender}/requests`, { headers: app.auth, body: { outboundSMSMessageRequest: body } });
  assert.equal(res.status, 201, res.text);
  const url: string = res.headers.get('location') ?? '';
  return { url, id: url.split('/').pop() ?? '', body: res.json() };
}

/** Runs `fn` with the simulated network refusing submits, so statuses stay `MessageWaiting`. */
async function withLinkDown<T>(fn: () => Promise<T>): Promise<T> {
  const sim = gw.gateway.ctx.outbound.simulator;
  assert.ok(sim);
  sim.setLinkUp(false);
  try {
    return await fn();
  } finally {
    sim.setLinkUp(true);
  }
}

test('GET on the resourceURL of a /3 send answers the request as its 201 echoed it, statuses and all', async () => {
  const to = number();
  await withLinkDown(async () => {
    const request = {
      address: [`tel:${to}`],
      senderAddress: `tel:${CODE}`,
      outboundSMSTextMessage: { message: 'Hello €uro' },
      clientCorrelator: 'get-1',
      receiptRequest: { notifyURL: dr.url, callbackData: 'cb-1' },
      senderName: 'ACME',
    };
    const sent = await send('3', request);
    const res = await gw.request('GET', pathOf(sent.body.outboundSMSMessageRequest.resourceURL), { headers: app.auth });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(res.json(), sent.body);
    assert.deepEqual(res.json().outboundSMSMessageRequest, {
      ...request,
      deliveryInfoList: { deliveryInfo: [{ address: `tel:${to}`, deliveryStatus: 'MessageWaiting' }], resourceURL: `${sent.url}/deliveryInfos` },
      resourceURL: sent.url,
    });
  });
  await handsetReceives(gw, to);
});

test('GET on a /2 request shows the current states, and does not use up the read-once status of deliveryInfos', async () => {
  const [a, b] = [number(), number()];
  const sent = await send('2', { address: [`tel:${a}`, b], outboundSMSTextMessage: { message: 'two' } });
  assert.deepEqual(sent.body, { resourceReference: { resourceURL: sent.url } });
  await handsetReceives(gw, a);
  await handsetReceives(gw, b);
  const final = await waitFor(async () => {
    const res = await gw.request('GET', pathOf(sent.url), { headers: app.auth });
    assert.equal(res.status, 200, res.text);
    const infos = res.json().outboundSMSMessageRequest.deliveryInfoList.deliveryInfo;
    return infos.every((i: any) => i.deliveryStatus === 'DeliveredToTerminal') ? res.json() : undefined;
  }, 5000, 'final states on the request');
  assert.deepEqual(final, {
    outboundSMSMessageRequest: {
      // The sender as the path named it (the body named none), the addresses as the client spelled them.
      address: [`tel:${a}`, b],
      senderAddress: `tel:${CODE}`,
      outboundSMSTextMessage: { message: 'two' },
      deliveryInfoList: {
        deliveryInfo: [
          { address: `tel:${a}`, deliveryStatus: 'DeliveredToTerminal' },
          { address: b, deliveryStatus: 'DeliveredToTerminal' },
        ],
        resourceURL: `${sent.url}/deliveryInfos`,
      },
      resourceURL: sent.url,
    },
  });
  // Read again and again: still there; the documented status query then gets its final answer once.
  assert.equal((await gw.request('GET', pathOf(sent.url), { headers: app.auth })).status, 200);
  const infos = await gw.request('GET', `${pathOf(sent.url)}/deliveryInfos`, { headers: app.auth });
  assert.equal(infos.status, 200, infos.text);
  assert.deepEqual(infos.json().deliveryInfoList.deliveryInfo, final.outboundSMSMessageRequest.deliveryInfoList.deliveryInfo);
  const consumed = await gw.request('GET', `${pathOf(sent.url)}/deliveryInfos`, { headers: app.auth });
  assert.equal(consumed.status, 400);
  // With its status gone, so is the request.
  const gone = await gw.request('GET', pathOf(sent.url), { headers: app.auth });
  assert.equal(gone.status, 400, gone.text);
  assert.deepEqual(gone.json(), {
    requestError: { serviceException: { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: ['requestId'] } },
  });
});

test('GET on a request in XML', async () => {
  const to = number();
  await withLinkDown(async () => {
    const sent = await send('1', { address: to, senderAddress: CODE, outboundSMSTextMessage: { message: 'a < b & c' }, clientCorrelator: 'get-xml' }, CODE);
    const res = await gw.request('GET', pathOf(sent.url), { headers: { ...app.auth, ...XML } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    assert.equal(
      res.text,
      '<?xml version="1.0" encoding="UTF-8"?><outboundSMSMessageRequest>' +
        `<address>${to}</address><senderAddress>${CODE}</senderAddress><outboundSMSTextMessage><message>a &lt; b &amp; c</message></outboundSMSTextMessage>` +
        '<clientCorrelator>get-xml</clientCorrelator>' +
        `<deliveryInfoList><deliveryInfo><address>${to}</address><deliveryStatus>MessageWaiting</deliveryStatus></deliveryInfo><resourceURL>${sent.url}/deliveryInfos</resourceURL></deliveryInfoList>` +
        `<resourceURL>${sent.url}</resourceURL></outboundSMSMessageRequest>`,
    );
  });
  await handsetReceives(gw, to);
});

test('the sender in the GET path in any spelling clients use, on every version; the resourceURL is the path’s version', async () => {
  const to = number();
  await withLinkDown(async () => {
    const { id, url } = await send('2', { address: to, outboundSMSTextMessage: { message: 'spellings' } });
    assert.match(url, new RegExp(`/2/smsmessaging/outbound/tel%3A${CODE}/requests/${id}$`));
    for (const [v, sender] of [['1', `tel%3A${CODE}`], ['2', `tel:${CODE}`], ['3', CODE], ['2', 'tel%3A%2B22627300'], ['3', 'tel%3A22627301']] as const) {
      const res = await gw.request('GET', `/${v}/smsmessaging/outbound/${sender}/requests/${id}`, { headers: app.auth });
      assert.equal(res.status, 200, `${v} ${sender}: ${res.text}`);
      assert.equal(res.json().outboundSMSMessageRequest.resourceURL, url.replace('/2/', `/${v}/`));
    }
  });
  await handsetReceives(gw, to);
});

test('another app’s request, an unknown, malformed or AT&T-sent id: 400 SVC0002 requestId, as deliveryInfos answers', async () => {
  const to = number();
  const foreign = await gw.request('POST', '/2/smsmessaging/outbound/22627301/requests', {
    headers: other.auth,
    body: { outboundSMSMessageRequest: { address: to, outboundSMSTextMessage: { message: 'not yours' } } },
  });
  assert.equal(foreign.status, 201, foreign.text);
  const foreignUrl: string = foreign.json().resourceReference.resourceURL;
  const att = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: number(), message: 'att' } } });
  assert.equal(att.status, 201, att.text);
  const attId: string = att.json().outboundSMSResponse.messageId;
  const notFound = { requestError: { serviceException: { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: ['requestId'] } } };
  for (const path of [
    pathOf(foreignUrl),
    `/2/smsmessaging/outbound/tel%3A${CODE}/requests/${foreignUrl.split('/').pop()}`,
    `/2/smsmessaging/outbound/tel%3A${CODE}/requests/SMS0000000000000000`,
    `/2/smsmessaging/outbound/tel%3A${CODE}/requests/not-an-id`,
    `/2/smsmessaging/outbound/tel%3A${CODE}/requests/${attId}`,
  ]) {
    const res = await gw.request('GET', path, { headers: app.auth });
    assert.equal(res.status, 400, path);
    assert.deepEqual(res.json(), notFound, path);
    const xml = await gw.request('GET', path, { headers: { ...app.auth, ...XML } });
    assert.match(xml.text, /<requestError><serviceException><messageId>SVC0002<\/messageId>.*<variables>requestId<\/variables>/, path);
  }
  // Its owner reads it.
  assert.equal((await gw.request('GET', pathOf(foreignUrl), { headers: other.auth })).status, 200);
  const anonymous = await gw.request('GET', pathOf(foreignUrl));
  assert.equal(anonymous.status, 400);
  assert.equal(anonymous.json().requestError.policyException.messageId, 'POL0001');
  await handsetReceives(gw, to);
});

test('methods the standard does not define on the request answer 405 with Allow, as on every known path; HEAD answers as GET', async () => {
  const to = number();
  await withLinkDown(async () => {
    const { url } = await send('2', { address: to, outboundSMSTextMessage: { message: 'methods' } });
    for (const method of ['PUT', 'POST', 'DELETE', 'PATCH']) {
      const res = await gw.request(method, pathOf(url), { headers: app.auth, body: {} });
      assert.equal(res.status, 405, `${method}: ${res.text}`);
      assert.deepEqual((res.headers.get('allow') ?? '').split(', ').sort(), ['GET', 'HEAD']);
      assert.deepEqual(res.json().requestError.serviceException, { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: ['Method'] });
    }
    const head = await gw.request('HEAD', pathOf(url), { headers: app.auth });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal((await gw.request('GET', pathOf(url), { headers: app.auth })).status, 200);
  });
  await handsetReceives(gw, to);
});

test('a OneAPI message stored before its request fields were kept (migration 0094): the sender as `tel:`, no optional field', async () => {
  const id = newMessageId();
  const now = Date.now();
  const stored = await gw.gateway.ctx.store.messages.accept(
    { id, appId: app.id, api: 'oneapi-2', sender: CODE, text: 'older', encoding: 'GSM7', segments: 1, notifyMode: 'none', notifyUrl: null, callbackData: null, createdAt: now, statusExpiresAt: null, statusConsumed: false, oneapiRequest: null },
    [{ id: `${id}-0`, messageId: id, seq: 0, addressOriginal: '4255550100', e164: '+14255550100', status: 'DeliveredToNetwork', networkId: null, finalAt: null, updatedAt: now }],
    [],
  );
  assert.deepEqual(stored, { created: true });
  const res = await gw.request('GET', `/2/smsmessaging/outbound/${CODE}/requests/${id}`, { headers: app.auth });
  assert.equal(res.status, 200, res.text);
  const url = `${gw.gateway.ctx.config.publicUrl}/2/smsmessaging/outbound/tel%3A${CODE}/requests/${id}`;
  assert.deepEqual(res.json().outboundSMSMessageRequest, {
    address: ['4255550100'],
    senderAddress: `tel:${CODE}`,
    outboundSMSTextMessage: { message: 'older' },
    deliveryInfoList: { deliveryInfo: [{ address: '4255550100', deliveryStatus: 'DeliveredToNetwork' }], resourceURL: `${url}/deliveryInfos` },
    resourceURL: url,
  });
});
