/**
 * An SMSC that hands out a message id again (its counter restarted, or its id space wrapped) while
 * the gateway still keeps the earlier, already final message under it: the receipt belongs to the
 * new message. Real SMPP over loopback, on the store TEST_STORE names.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlledReceiptSmsc } from './fake-smsc.js';
import type { TestGateway } from '../helpers/gateway.js';
import { notificationSink, type NotificationSink, smppGateway, type SmppWorld, waitUntil } from './world.js';

/** Ids from a counter the test can set back, as an SMSC's restart does. */
class RestartingIdsSmsc extends ControlledReceiptSmsc {
  #next = 0x1000;

  override newId(): string {
    return (this.#next++).toString(16);
  }

  restartIds(at: number): void {
    this.#next = at;
  }
}

let smsc: RestartingIdsSmsc;
let sink: NotificationSink;
let world: SmppWorld;
/** The gateway running now (world's, or the one it was restarted as). */
let gateway: TestGateway;
const THREE_PARTS = 'Part of a long message. '.repeat(18); // 432 GSM characters: 3 parts of 153

before(async () => {
  smsc = await new RestartingIdsSmsc().start();
  sink = await notificationSink();
  world = await smppGateway(smsc.port, {}, sink.url);
  gateway = world.gw;
});
after(async () => {
  await gateway.close();
  await smsc.stop();
  await sink.close();
});

async function settled(to: string, expected: string): Promise<void> {
  await waitUntil(() => sink.statusesFor(to).length >= 1, 20_000, `the notification to ${to}`);
  await new Promise((r) => setTimeout(r, 300)); // room for a second one, which must not come
  assert.deepEqual(sink.statusesFor(to), [expected]);
}

/** Sends `text` to `to`; answers the SMSC ids of its parts once they are stored. */
async function sent(to: string, text: string, parts: number): Promise<string[]> {
  const id = await world.sendSms(to, text, true);
  await waitUntil(async () => (await world.gw.gateway.ctx.store.smpp.message(`${id}-0`))?.parts.length === parts, 5000, `${parts} parts accepted`);
  return smsc.partsTo(to).map((p) => p.id);
}

test('a 3-part message whose ids an earlier, final one had: its receipts settle it, not the old one', async () => {
  const [first, second] = ['+14255550301', '+14255550302'];
  smsc.restartIds(0x2000);
  const ids = await sent(first, THREE_PARTS, 3);
  for (const id of ids) await smsc.receipt(id, 'DELIVRD');
  await settled(first, 'DeliveredToTerminal');
  smsc.restartIds(0x2000);
  assert.deepEqual(await sent(second, THREE_PARTS, 3), ids, 'the same ids again');
  for (const id of ids) await smsc.receipt(id, 'UNDELIV');
  await settled(second, 'DeliveryImpossible');
  assert.deepEqual(sink.statusesFor(first), ['DeliveredToTerminal']);
});

test('a single-part message reusing an id, its receipt coming after a gateway restart', async () => {
  const [first, second] = ['+14255550303', '+14255550304'];
  smsc.restartIds(0x3000);
  const ids = await sent(first, 'One part', 1);
  for (const id of ids) await smsc.receipt(id, 'DELIVRD');
  await settled(first, 'DeliveredToTerminal');
  smsc.restartIds(0x3000);
  assert.deepEqual(await sent(second, 'One part again', 1), ids, 'the same id again');
  // A new process does not have the part it waits for in memory: the store answers.
  gateway = await world.gw.restart();
  await waitUntil(() => gateway.gateway.ctx.outbound.connector.isUp() && smsc.sessions.size > 0, 5000, 'rebound');
  for (const id of ids) await smsc.receipt(id, 'UNDELIV');
  await settled(second, 'DeliveryImpossible');
  assert.deepEqual(sink.statusesFor(first), ['DeliveredToTerminal']);
});
