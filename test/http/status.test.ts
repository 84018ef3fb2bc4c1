import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type TestApp } from '../helpers/apps.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { FAST, XML, handsetReceives, waitFor } from './send-helpers.js';

let gw: TestGateway;
let app: TestApp;
let next = 3000;
const number = () => `+1425201${String(next++).padStart(4, '0')}`;

before(async () => {
  gw = await startTestGateway({ ...FAST, SWITCHBOARD_STATUS_RETENTION_S: '1' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627200', moDelivery: 'poll' }], deliveryStatusUrl: 'http://127.0.0.1:9/dr' });
});
after(async () => {
  await gw.close();
});

async function sendV3(address: unknown, extra: Record<string, unknown> = {}, who: TestApp = app): Promise<string> {
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: who.auth, body: { outboundSMSRequest: { address, message: 'status?', ...extra } } });
  assert.equal(res.status, 201, res.text);
  return res.json().outboundSMSResponse.messageId;
}

/** Polls a status URL until every entry is final; returns that (consuming) answer. */
function finalStatus(path: string, key: 'DeliveryInfoList' | 'deliveryInfoList' = 'DeliveryInfoList', headers: Record<string, string> = {}) {
  return waitFor(async () => {
    const res = await gw.request('GET', path, { headers: { ...app.auth, ...headers } });
    assert.equal(res.status, 200, res.text);
    if (headers.accept === 'application/xml') return /DeliveredToNetwork|MessageWaiting/.test(res.text) ? undefined : res;
    const list = res.json()[key];
    const infos = list.DeliveryInfo ?? list.deliveryInfo;
    return infos.every((i: any) => /DeliveredToTerminal|DeliveryImpossible/.test(i.DeliveryStatus ?? i.deliveryStatus)) ? res : undefined;
  }, 5000, `final status of ${path}`);
}

test('v3 status: one entry per recipient in order, the caller’s spelling, DeliveredToTerminal, then gone (read once)', async () => {
  const [a, b] = [number(), number()];
  const spellings = [`tel:${a.slice(2)}`, `${b.slice(2, 5)}-${b.slice(5, 8)}-${b.slice(8)}`];
  const id = await sendV3(spellings);
  const res = await finalStatus(`/sms/v3/messaging/outbox/${id}`);
  assert.deepEqual(res.json(), {
    DeliveryInfoList: {
      DeliveryInfo: [
        { Id: 'msg0', Address: spellings[0], DeliveryStatus: 'DeliveredToTerminal' },
        { Id: 'msg1', Address: spellings[1], DeliveryStatus: 'DeliveredToTerminal' },
      ],
      ResourceUrl: `${gw.gateway.ctx.config.publicUrl}/sms/v3/messaging/outbox/${id}`,
    },
  });
  const again = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
  assert.equal(again.status, 400);
  assert.deepEqual(again.json(), {
    RequestError: { ServiceException: { MessageId: 'SVC0002', Text: 'Invalid input value for message part %1', Variables: 'RequestIdentifier' } },
  });
});

test('HEAD on a status answers 405 (Allow: GET) and consumes nothing: the final status is still there for the GET', async () => {
  const to = number();
  const id = await sendV3(`tel:${to}`);
  await handsetReceives(gw, to);
  await new Promise((r) => setTimeout(r, 300));
  for (const path of [`/sms/v3/messaging/outbox/${id}`, `/rest/sms/2/messaging/outbox/${id}`, `/3/smsmessaging/outbound/requests/tel%3A22627200/${id}/deliveryInfos`]) {
    const head = await gw.request('HEAD', path, { headers: app.auth });
    assert.equal(head.status, 405, path);
    assert.match(head.headers.get('allow') ?? '', /\bGET\b/);
  }
  const res = await finalStatus(`/sms/v3/messaging/outbox/${id}`);
  assert.equal(res.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus, 'DeliveredToTerminal');
});

test('v3 status with one recipient is still an array; XML has one DeliveryInfo element per recipient', async () => {
  const to = number();
  const id = await sendV3(to);
  const xml = await finalStatus(`/sms/v3/messaging/outbox/${id}`, 'DeliveryInfoList', { accept: 'application/xml' });
  assert.match(xml.headers.get('content-type') ?? '', /application\/xml/);
  assert.equal(
    xml.text,
    `<?xml version="1.0" encoding="UTF-8"?><DeliveryInfoList><DeliveryInfo><Id>msg0</Id><Address>${to}</Address><DeliveryStatus>DeliveredToTerminal</DeliveryStatus></DeliveryInfo><ResourceUrl>${gw.gateway.ctx.config.publicUrl}/sms/v3/messaging/outbox/${id}</ResourceUrl></DeliveryInfoList>`,
  );
});

test('v2 status on /rest/sms/2/messaging/outbox/{Id}', async () => {
  const to = number();
  const send = await gw.request('POST', '/rest/sms/2/messaging/outbox', { headers: app.auth, body: { Address: `tel:${to}`, Message: 'v2' } });
  const id = send.json().Id;
  const res = await finalStatus(`/rest/sms/2/messaging/outbox/${id}`);
  assert.deepEqual(res.json().DeliveryInfoList.DeliveryInfo, [{ Id: 'msg0', Address: `tel:${to}`, DeliveryStatus: 'DeliveredToTerminal' }]);
  assert.ok(res.json().DeliveryInfoList.ResourceUrl.endsWith(`/rest/sms/2/messaging/outbox/${id}`));
});

test('while the network has not taken it: DeliveredToNetwork on AT&T paths, MessageWaiting on OneAPI', async () => {
  const sim = gw.gateway.ctx.outbound.simulator;
  assert.ok(sim);
  const to = number();
  sim.setLinkUp(false);
  try {
    const res = await gw.request('POST', '/2/smsmessaging/outbound/tel%3A22627200/requests', {
      headers: app.auth,
      body: { outboundSMSMessageRequest: { address: [`tel:${to}`], outboundSMSTextMessage: { message: 'wait' } } },
    });
    assert.equal(res.status, 201, res.text);
    const id = res.json().resourceReference.resourceURL.split('/').pop();
    const oneapi = await gw.request('GET', `/2/smsmessaging/outbound/tel%3A22627200/requests/${id}/deliveryInfos`, { headers: app.auth });
    assert.deepEqual(oneapi.json().deliveryInfoList.deliveryInfo, [{ address: `tel:${to}`, deliveryStatus: 'MessageWaiting' }]);
    const att = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
    assert.equal(att.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus, 'DeliveredToNetwork');
    const health = await gw.request('GET', '/healthz');
    assert.equal(health.status, 503);
    assert.equal(health.json().network, 'down');
  } finally {
    sim.setLinkUp(true);
  }
  await handsetReceives(gw, to);
});

test('OneAPI delivery infos on all three path forms, JSON and XML', async () => {
  const paths = [
    (id: string) => `/3/smsmessaging/outbound/requests/tel%3A22627200/${id}/deliveryInfos`,
    (id: string) => `/2/smsmessaging/outbound/tel%3A22627200/requests/${id}/deliveryInfos`,
    (id: string) => `/1/smsmessaging/outbound/22627200/${id}/deliveryInfos`,
  ];
  for (const path of paths) {
    const to = number();
    const res = await gw.request('POST', '/2/smsmessaging/outbound/22627200/requests', {
      headers: app.auth,
      body: { outboundSMSMessageRequest: { address: to, outboundSMSTextMessage: { message: 'infos' } } },
    });
    const id = res.json().resourceReference.resourceURL.split('/').pop();
    const final = await finalStatus(path(id), 'deliveryInfoList');
    const list = final.json().deliveryInfoList;
    assert.deepEqual(list.deliveryInfo, [{ address: to, deliveryStatus: 'DeliveredToTerminal' }]);
    assert.match(list.resourceURL, new RegExp(`/smsmessaging/outbound/tel%3A22627200/requests/${id}/deliveryInfos$`));
  }
  const to = number();
  const res = await gw.request('POST', '/2/smsmessaging/outbound/22627200/requests', {
    headers: app.auth,
    body: { outboundSMSMessageRequest: { address: to, outboundSMSTextMessage: { message: 'xml infos' } } },
  });
  const id = res.json().resourceReference.resourceURL.split('/').pop();
  const xml = await finalStatus(paths[1]!(id), 'deliveryInfoList', { accept: 'application/xml' });
  assert.match(xml.text, /<deliveryInfoList><deliveryInfo><address>\+1\d{10}<\/address><deliveryStatus>DeliveredToTerminal<\/deliveryStatus><\/deliveryInfo><resourceURL>/);
});

test('unknown, malformed, another app’s and notify-mode ids all answer 400 SVC0002 alike', async () => {
  const other = await createApp(gw, { shortCodes: [{ shortCode: '22627201', moDelivery: 'poll' }] });
  const foreign = await sendV3(number(), {}, other);
  const notified = await sendV3(number(), { notifyDeliveryStatus: true });
  for (const id of ['SMS0000000000000000', 'not-an-id', foreign, notified]) {
    const att = await gw.request('GET', `/sms/v3/messaging/outbox/${encodeURIComponent(id)}`, { headers: app.auth });
    assert.equal(att.status, 400, id);
    assert.equal(att.json().RequestError.ServiceException.Variables, 'RequestIdentifier');
    const oneapi = await gw.request('GET', `/2/smsmessaging/outbound/22627200/requests/${encodeURIComponent(id)}/deliveryInfos`, { headers: app.auth });
    assert.equal(oneapi.status, 400, id);
    assert.deepEqual(oneapi.json().requestError.serviceException.variables, ['requestId']);
  }
  // The owner still sees its own message.
  assert.equal((await gw.request('GET', `/sms/v3/messaging/outbox/${foreign}`, { headers: other.auth })).status, 200);
});

test('a final status nobody reads is gone after SWITCHBOARD_STATUS_RETENTION_S, and the sweeper deletes its rows', async () => {
  const to = number();
  const id = await sendV3(to);
  await handsetReceives(gw, to);
  const store = gw.gateway.ctx.store;
  await waitFor(async () => ((await store.messages.recipient(`${id}-0`))?.recipient.status === 'DeliveredToTerminal' ? true : undefined));
  await waitFor(async () => ((await store.messages.recipient(`${id}-0`)) === undefined ? true : undefined), 5000, 'the sweeper');
  const res = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
  assert.equal(res.status, 400);
});

test('status paths need a token like every API path', async () => {
  const res = await gw.request('GET', '/sms/v3/messaging/outbox/SMS0000000000000000');
  assert.equal(res.status, 400);
  assert.equal(res.json().RequestError.PolicyException.MessageId, 'POL0001');
  const xml = await gw.request('GET', '/2/smsmessaging/outbound/22627200/requests/SMS0000000000000000/deliveryInfos', { headers: { ...XML } });
  assert.match(xml.text, /<requestError><policyException><messageId>POL0001<\/messageId>/);
});
