/**
 * What must survive a gateway restart (the SMSC message ids of submitted parts, so late receipts
 * still find their recipient), and the `message_payload` alternative to UDH parts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inProcessSmsc, smppGateway, waitUntil } from './world.js';

test('a receipt that arrives after the gateway restarted still finds its recipient', async (t) => {
  const smsc = await inProcessSmsc({ SWITCHBOARD_SIM_SMPP_RECEIPT_DELAY_MS: '1500' });
  t.after(() => smsc.close());
  const world = await smppGateway(smsc.smppPort);
  const long = 'A long message whose three receipts come late. '.repeat(9);
  const ids = [await world.sendSms('+14255550901', 'short and late'), await world.sendSms('+14255550902', long)];
  await waitUntil(async () => ((await world.report()).links[0]?.submitted ?? 0) === 4, 5000, 'all parts accepted');
  const gw = await world.gw.restart();
  t.after(() => gw.close());
  await waitUntil(() => gw.gateway.ctx.outbound.connector.isUp(), 5000, 'rebound');
  for (const id of ids) {
    await waitUntil(async () => {
      const res = await gw.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: world.app.auth });
      return res.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus === 'DeliveredToTerminal';
    }, 8000, `message ${id} delivered`);
  }
  const report = await gw.gateway.ctx.smpp?.report();
  assert.equal(report?.receipts.received, 4, 'all four receipts came to the new process');
  assert.equal(report?.receipts.matched, 4);
  assert.equal(report?.receipts.finals, 2);
});

test('SWITCHBOARD_SMPP_MESSAGE_PAYLOAD: a long message goes as one submit_sm with message_payload', async (t) => {
  const smsc = await inProcessSmsc();
  t.after(() => smsc.close());
  const world = await smppGateway(smsc.smppPort, { SWITCHBOARD_SMPP_MESSAGE_PAYLOAD: 'true' });
  t.after(() => world.gw.close());
  const text = 'Длинное сообщение в одном PDU, без UDH. '.repeat(6); // 246 UCS-2 units: 4 parts' worth
  const id = await world.sendSms('+14255550903', text);
  assert.equal(await world.finalStatus(id), 'DeliveredToTerminal');
  const [message] = await smsc.handset('+14255550903');
  assert.equal(message?.text, text);
  assert.equal(message?.encoding, 'UCS2');
  assert.equal(smsc.running.smsc.stats().submits, 1);
  assert.equal((await world.report()).links[0]?.submitted, 1);
});

test('after a restart, the next long message to a handset takes the reference after the last one, not one at random', async (t) => {
  const smsc = await inProcessSmsc();
  t.after(() => smsc.close());
  const world = await smppGateway(smsc.smppPort);
  const to = '+14255550904';
  const long = (n: number) => `Long message ${n}, three parts on the handset. `.repeat(8);
  // The reference a message's parts went out under, as the connector recorded it (recipient `<id>-0`).
  const refOf = async (g: typeof world.gw, id: string) => (await g.gateway.ctx.store.smpp.message(`${id}-0`))?.message.concatRef;
  const first = await world.sendSms(to, long(1));
  assert.equal(await world.finalStatus(first), 'DeliveredToTerminal');
  const before = await refOf(world.gw, first);
  assert.notEqual(before, undefined);
  // A part sent again after a crash may still wait under that reference (in the SMSC, on the
  // handset): a random start gave it to the next message 1 time in 256.
  const gw = await world.gw.restart();
  t.after(() => gw.close());
  await waitUntil(() => gw.gateway.ctx.outbound.connector.isUp(), 5000, 'rebound');
  const res = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: world.app.auth, body: { outboundSMSRequest: { address: `tel:${to}`, message: long(2) } } });
  assert.equal(res.status, 201, res.text);
  await waitUntil(async () => (await smsc.handset(to)).length === 2, 8000, 'the second message on the handset');
  assert.equal(await refOf(gw, res.json().outboundSMSResponse.messageId as string), ((before ?? 0) + 1) % 256);
  assert.deepEqual((await smsc.handset(to)).map((m) => m.text), [long(1), long(2)]);
});
