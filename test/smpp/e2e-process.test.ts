/**
 * The whole path over real SMPP between two processes: a gateway in `smpp` mode here, the
 * simulator SMSC as `switchboard smsc --port N` in a child process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SHORT_CODE, smppGateway, type SmppWorld, smscProcess, type SmscProcess, waitUntil } from './world.js';

let smsc: SmscProcess;
let world: SmppWorld;

before(async () => {
  smsc = await smscProcess();
  world = await smppGateway(smsc.smppPort);
});
after(async () => {
  await world.gw.close();
  await smsc.close();
});

const CASES: Array<{ name: string; to: string; text: string; encoding: string; segments: number }> = [
  { name: 'GSM, one part', to: '+14255550301', text: 'Hello [world] {€5} ~ GSM!', encoding: 'GSM7', segments: 1 },
  { name: 'GSM, three parts', to: '+14255550302', text: 'Über long GSM text with é and Ñ. '.repeat(12), encoding: 'GSM7', segments: 3 },
  { name: 'Latin-1, one part', to: '+14255550303', text: 'Grüße, ça va? «très bien» - non, «très» ±1 ½', encoding: 'LATIN1', segments: 1 },
  { name: 'Latin-1, three parts', to: '+14255550304', text: 'ça et là, « Latin-1 » façon. '.repeat(12), encoding: 'LATIN1', segments: 3 },
  { name: 'UCS-2, one part', to: '+14255550305', text: 'Привет, мир! 👋 你好', encoding: 'UCS2', segments: 1 },
  { name: 'UCS-2, three parts', to: '+14255550306', text: 'Съешь же ещё этих мягких булок 🥐. '.repeat(5), encoding: 'UCS2', segments: 3 },
];

test('GSM, Latin-1 and UCS-2, single and multi-part: the handset gets the text, the receipt reaches the status API', async () => {
  const sent = await Promise.all(CASES.map(async (c) => ({ ...c, id: await world.sendSms(c.to, c.text) })));
  for (const c of sent) assert.equal(await world.finalStatus(c.id), 'DeliveredToTerminal', c.name);
  for (const c of sent) {
    const messages = await smsc.handset(c.to);
    assert.equal(messages.length, 1, c.name);
    assert.deepEqual(
      { from: messages[0]?.from, text: messages[0]?.text, encoding: messages[0]?.encoding, segments: messages[0]?.segments },
      { from: SHORT_CODE, text: c.text, encoding: c.encoding, segments: c.segments },
      c.name,
    );
  }
  const report = await world.report();
  assert.equal(report.links[0]?.submitted, 12);
  assert.equal(report.receipts.received, 12);
  assert.equal(report.receipts.finals, 6);
  assert.equal(report.receipts.unmatched, 0);
});

async function inbox(): Promise<Array<{ Message: string; SenderAddress: string }>> {
  const res = await world.gw.request('GET', `/sms/v3/messaging/inbox/${SHORT_CODE}`, { headers: world.app.auth });
  assert.equal(res.status, 200, res.text);
  return res.json().InboundSmsMessageList.InboundSmsMessage;
}

test('MO from a handset reaches the app inbox: short, long (reassembled from parts) and UCS-2', async () => {
  const long = 'A long reply from the handset, more than one SMS can carry. '.repeat(4);
  await smsc.mo('+14255550310', SHORT_CODE, 'Yes please');
  await smsc.mo('+14255550311', SHORT_CODE, long);
  await smsc.mo('+14255550312', SHORT_CODE, 'Да, конечно 👍');
  const received: Array<{ Message: string; SenderAddress: string }> = [];
  await waitUntil(async () => {
    received.push(...(await inbox()));
    return received.length >= 3;
  }, 8000, 'three MO in the inbox');
  const bySender = new Map(received.map((m) => [m.SenderAddress, m.Message]));
  assert.equal(bySender.get('tel:+14255550310'), 'Yes please');
  assert.equal(bySender.get('tel:+14255550311'), long);
  assert.equal(bySender.get('tel:+14255550312'), 'Да, конечно 👍');
});

test('the SMSC process killed mid-window and restarted: every accepted message still ends delivered', async (t) => {
  const count = 40;
  const numbers = Array.from({ length: count }, (_, i) => `+1425555${String(400 + i).padStart(4, '0')}`);
  const ids = await Promise.all(numbers.map((n, i) => world.sendSms(n, `crash test ${i}`)));
  // Kill while submits are on the wire: some accepted, some in flight, some not yet sent.
  await waitUntil(async () => ((await world.report()).links[0]?.submitted ?? 0) >= 14, 5000, 'the first submits accepted');
  await smsc.kill();
  smsc = await smsc.restart();
  const statuses = await world.finalStatuses(ids, 30_000);
  assert.deepEqual(statuses, ids.map(() => 'DeliveredToTerminal'));
  let duplicates = 0;
  for (const [i, n] of numbers.entries()) {
    const messages = await smsc.handset(n);
    assert.ok(messages.length >= 1, `${n} got its message`);
    assert.ok(messages.every((m) => m.text === `crash test ${i}`));
    duplicates += messages.length - 1;
  }
  const report = await world.report();
  t.diagnostic(`SMSC killed mid-window: ${count} messages, all delivered, ${duplicates} duplicate(s) on handsets (at-least-once), reconnects ${report.links[0]?.reconnects}, unmatched receipts ${report.receipts.unmatched}`);
  assert.ok((report.links[0]?.reconnects ?? 0) >= 1);
});
