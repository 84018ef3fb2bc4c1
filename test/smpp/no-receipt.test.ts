/**
 * An SMSC that never sends the receipt: once twice the network retry window has passed since the
 * submit, each such recipient is settled once as DeliveryUncertain — shown as DeliveryImpossible
 * on AT&T paths, DeliveryUncertain on OneAPI ones — with exactly one notification, read once, and
 * a receipt that comes after that changes nothing. A recipient whose receipt came is left alone.
 * Runs on both stores: the gateway comes from startTestGateway (via smppGateway).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS } from '../../src/network/smpp/pdu.js';
import { ControlledReceiptSmsc } from './fake-smsc.js';
import { notificationSink, type NotificationSink, SHORT_CODE, smppGateway, type SmppWorld, waitUntil } from './world.js';

/** The shortest window the setting takes: its parts are waited for twice as long, 4 s. */
const RETRY_WINDOW_S = 2;
const TWO_PARTS = 'Part of a long message. '.repeat(8); // 192 GSM characters: 2 parts of 153

let smsc: ControlledReceiptSmsc;
let sink: NotificationSink;
let world: SmppWorld;

before(async () => {
  smsc = await new ControlledReceiptSmsc().start();
  sink = await notificationSink();
  world = await smppGateway(smsc.port, { SWITCHBOARD_NETWORK_RETRY_WINDOW_S: String(RETRY_WINDOW_S) }, sink.url);
});
after(async () => {
  await world.gw.close();
  await smsc.stop();
  await sink.close();
});

const oneapiBase = `/2/smsmessaging/outbound/${encodeURIComponent(`tel:${SHORT_CODE}`)}/requests`;

async function sendOneapi(to: string, message: string, notifyURL?: string): Promise<string> {
  const res = await world.gw.request('POST', oneapiBase, {
    headers: world.app.auth,
    body: {
      outboundSMSMessageRequest: {
        address: [`tel:${to}`],
        outboundSMSTextMessage: { message },
        ...(notifyURL === undefined ? {} : { receiptRequest: { notifyURL, callbackData: 'no-receipt' } }),
      },
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.json().resourceReference.resourceURL.split('/').pop() as string;
}

/** The AT&T status read: the recipient's status, or the error's MessageId. */
async function attRead(id: string): Promise<string> {
  const res = await world.gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: world.app.auth });
  return res.status === 200 ? res.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus : `${res.status} ${res.json().RequestError.ServiceException.MessageId}`;
}

async function oneapiRead(id: string): Promise<string> {
  const res = await world.gw.request('GET', `${oneapiBase}/${id}/deliveryInfos`, { headers: world.app.auth });
  return res.status === 200 ? res.json().deliveryInfoList.deliveryInfo[0].deliveryStatus : `${res.status} ${res.json().requestError.serviceException.messageId}`;
}

function notified(): Array<{ address: string; deliveryStatus: string; messageId: string; callbackData?: string }> {
  return sink.bodies.map((b) => {
    const n = (b as { deliveryInfoNotification: { messageId: string; callbackData?: string; deliveryInfo: { address: string; deliveryStatus: string } } }).deliveryInfoNotification;
    return { ...n.deliveryInfo, messageId: n.messageId, ...(n.callbackData === undefined ? {} : { callbackData: n.callbackData }) };
  });
}

test('no receipt within twice the retry window: DeliveryUncertain once (AT&T: DeliveryImpossible), and a late receipt changes nothing', async () => {
  const to = { attNotified: '+14255550301', attPolled: '+14255550302', oneapiNotified: '+14255550303', oneapiPolled: '+14255550304', delivered: '+14255550305' };
  const id = {
    attNotified: await world.sendSms(to.attNotified, 'no receipt, notified', true),
    attPolled: await world.sendSms(to.attPolled, 'no receipt, polled'),
    oneapiNotified: await sendOneapi(to.oneapiNotified, 'no receipt, receiptRequest', sink.url),
    oneapiPolled: await sendOneapi(to.oneapiPolled, TWO_PARTS),
    delivered: await world.sendSms(to.delivered, 'receipt at once', true),
  };
  await waitUntil(() => smsc.accepted.length === 6, 5000, 'six parts at the SMSC');
  const acceptedAt = Date.now();
  const [deliveredPart] = smsc.partsTo(to.delivered);
  assert.ok(deliveredPart);
  assert.equal(await smsc.receipt(deliveredPart.id, 'DELIVRD'), STATUS.ROK);
  await waitUntil(() => notified().length === 1, 10_000, 'the delivered one notified');

  // Within the window nothing else moves.
  assert.equal(await attRead(id.attPolled), 'DeliveredToNetwork');
  assert.equal(await oneapiRead(id.oneapiPolled), 'DeliveredToNetwork');

  await waitUntil(async () => (await world.report()).receipts.settledUncertain === 4, 20_000, 'four settled as uncertain');
  assert.ok(Date.now() - acceptedAt >= 2 * RETRY_WINDOW_S * 1000 - 500, `settled ${Date.now() - acceptedAt} ms after the submits`);

  // Receipts after the settle still match (the ids are kept like any final's) and change nothing.
  for (const late of smsc.accepted.filter((a) => a.id !== deliveredPart.id)) assert.equal(await smsc.receipt(late.id, 'DELIVRD'), STATUS.ROK);

  await waitUntil(() => notified().length >= 3, 20_000, 'the two notifications');
  await new Promise((r) => setTimeout(r, 1000)); // room for a second one, which must not come
  const byAddress = (address: string) => notified().filter((n) => n.address === `tel:${address}`);
  assert.deepEqual(byAddress(to.attNotified), [{ address: `tel:${to.attNotified}`, deliveryStatus: 'DeliveryImpossible', messageId: id.attNotified }]);
  assert.deepEqual(byAddress(to.oneapiNotified), [
    { address: `tel:${to.oneapiNotified}`, deliveryStatus: 'DeliveryUncertain', messageId: id.oneapiNotified, callbackData: 'no-receipt' },
  ]);
  assert.deepEqual(byAddress(to.delivered), [{ address: `tel:${to.delivered}`, deliveryStatus: 'DeliveredToTerminal', messageId: id.delivered }]);
  assert.equal(notified().length, 3);

  // Read once, in the path's words; then gone.
  assert.equal(await attRead(id.attPolled), 'DeliveryImpossible');
  assert.equal(await attRead(id.attPolled), '400 SVC0002');
  assert.equal(await oneapiRead(id.oneapiPolled), 'DeliveryUncertain');
  assert.equal(await oneapiRead(id.oneapiPolled), '400 SVC0002');
  assert.equal(await oneapiRead(id.oneapiNotified), 'DeliveryUncertain', 'a receiptRequest message stays pollable');
  assert.equal(await oneapiRead(id.oneapiNotified), '400 SVC0002');

  const { receipts } = await world.report();
  assert.equal(receipts.settledUncertain, 4);
  assert.equal(receipts.matched, 6, 'the late receipts matched');
  assert.equal(receipts.unmatched, 0);
  assert.equal(receipts.held, 0);
});
