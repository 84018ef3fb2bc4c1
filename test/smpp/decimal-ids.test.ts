/**
 * An SMSC that numbers its messages 0, 1, 2, … in decimal (SMPPSim does) and sends a receipt
 * before the gateway has stored that message's part: the receipt for `37` must wait for part `37`,
 * not settle part `25` because `25` read as hex is 37. Real SMPP over loopback, on the store
 * TEST_STORE names.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlledReceiptSmsc } from './fake-smsc.js';
import { notificationSink, type NotificationSink, smppGateway, type SmppWorld, waitUntil } from './world.js';

/** Decimal ids from a counter the test sets. */
class DecimalIdsSmsc extends ControlledReceiptSmsc {
  #next = 0;

  override newId(): string {
    return String(this.#next++);
  }

  nextIdIs(n: number): void {
    this.#next = n;
  }
}

let smsc: DecimalIdsSmsc;
let sink: NotificationSink;
let world: SmppWorld;

before(async () => {
  smsc = await new DecimalIdsSmsc().start();
  sink = await notificationSink();
  world = await smppGateway(smsc.port, {}, sink.url);
});
after(async () => {
  await world.gw.close();
  await smsc.stop();
  await sink.close();
});

test('a receipt that comes before its submit_sm_resp waits for its own part, not one whose id spells the same number in hex', async () => {
  const [first, second] = ['+14255550401', '+14255550402'];
  smsc.nextIdIs(25);
  const firstId = await world.sendSms(first, 'Message 25', true);
  await waitUntil(async () => (await world.gw.gateway.ctx.store.smpp.message(`${firstId}-0`))?.parts.length === 1, 5000, 'part 25 stored');
  await smsc.receipt('25', 'DELIVRD');
  await waitUntil(() => sink.statusesFor(first).length === 1, 10_000, 'the first message settled');

  smsc.nextIdIs(37);
  smsc.holdResponses = true;
  await world.sendSms(second, 'Message 37', true);
  await waitUntil(() => smsc.partsTo(second).length === 1, 5000, 'the second submit');
  assert.equal(await smsc.receipt('37', 'UNDELIV'), 0);
  smsc.releaseResponses();

  await waitUntil(() => sink.statusesFor(second).length === 1, 10_000, 'the second message settled');
  assert.deepEqual(sink.statusesFor(second), ['DeliveryImpossible']);
  assert.deepEqual(sink.statusesFor(first), ['DeliveredToTerminal']);
});
