/**
 * A third-party ESME — Kannel 1.4.5 (Debian's `kannel`, installed by .ci/run), the open-source
 * gateway most SMS teams have run — bound as a transceiver to the simulator SMSC
 * (`switchboard smsc`): its sends reach the handsets whole (GSM, UCS-2, concatenated parts), its
 * delivery receipts are matched by Kannel itself and reach its dlr-url as delivered, and MO from
 * handsets (long ones in parts) reaches its sms-service. The launcher is the bench's (the
 * reference scenario runs the same boxes).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { findKannel, startKannel, type KannelProc } from '../../bench/lib/kannel.js';
import { startListener, type TestListener } from '../webhooks/listener.js';
import { smscProcess, type SmscProcess } from './world.js';

const boxes = findKannel();
const skip = boxes === undefined && 'Kannel not installed (.ci/run installs Debian\'s kannel)';

let smsc: SmscProcess;
let kannel: KannelProc;
let dlrs: TestListener;
let mo: TestListener;

before(async () => {
  if (boxes === undefined) return;
  smsc = await smscProcess();
  dlrs = await startListener(() => 200, '/dlr');
  mo = await startListener(() => 200, '/mo');
  kannel = await startKannel(boxes, smsc.smppPort, { dlrStorage: 'internal', moUrl: mo.url });
});
after(async () => {
  if (boxes === undefined) return;
  await kannel.stop();
  await smsc.close();
  await Promise.all([dlrs.close(), mo.close()]);
});

const query = (path: string) => new URL(path, 'http://listener').searchParams;

test('Kannel sends through the simulator SMSC: GSM, UCS-2 and long texts arrive whole, each receipt reaches its dlr-url as delivered', { skip }, async () => {
  const cases = [
    { to: '+14255550601', text: 'Hello from Kannel [GSM] {€5}', encoding: 'GSM7', segments: 1, coding: undefined },
    { to: '+14255550602', text: 'Привет из Kannel, мир!', encoding: 'UCS2', segments: 1, coding: '2' },
    { to: '+14255550603', text: 'A long text from Kannel, sent in concatenated parts. '.repeat(4), encoding: 'GSM7', segments: 2, coding: undefined },
  ];
  for (const [i, c] of cases.entries()) {
    const params = new URLSearchParams({ from: '22627000', to: c.to, text: c.text, charset: 'UTF-8', 'dlr-mask': '3', 'dlr-url': `${dlrs.url}?case=${i}&status=%d` });
    if (c.coding !== undefined) params.set('coding', c.coding);
    const res = await fetch(`${kannel.sendsmsUrl}&${params.toString()}`);
    assert.equal(res.status, 202, await res.text());
  }
  // One per message: Kannel waits for every part's receipt and reports the long message once.
  await dlrs.waitFor(3, 20_000);
  // A receipt per part would come within this too.
  await new Promise((r) => setTimeout(r, 1000));
  const byCase = new Map<string, string[]>();
  for (const r of dlrs.received) {
    const q = query(r.path);
    byCase.set(q.get('case') ?? '', [...(byCase.get(q.get('case') ?? '') ?? []), q.get('status') ?? '']);
  }
  assert.deepEqual(Object.fromEntries(byCase), { 0: ['1'], 1: ['1'], 2: ['1'] }, 'status 1: delivered to the phone');
  for (const c of cases) {
    const messages = await smsc.handset(c.to);
    assert.equal(messages.length, 1, c.to);
    assert.deepEqual({ from: messages[0]?.from, text: messages[0]?.text, encoding: messages[0]?.encoding, segments: messages[0]?.segments }, { from: '22627000', text: c.text, encoding: c.encoding, segments: c.segments }, c.to);
  }
});

test('MO from handsets reaches Kannel\'s sms-service: short, long (from its parts) and UCS-2', { skip }, async () => {
  const long = 'A long reply from the handset to Kannel, more than one SMS can carry. '.repeat(3);
  await smsc.mo('+14255550611', '22627000', 'YES please');
  await smsc.mo('+14255550612', '22627000', long);
  await smsc.mo('+14255550613', '22627000', 'Да, конечно');
  const received = await mo.waitFor(3, 20_000);
  const bySender = new Map(received.map((r) => [query(r.path).get('from'), query(r.path)]));
  assert.equal(bySender.size, 3, 'one request per message, the long one combined from its parts');
  assert.deepEqual([...bySender.keys()].sort(), ['+14255550611', '+14255550612', '+14255550613']);
  assert.equal(bySender.get('+14255550611')?.get('text'), 'YES please');
  assert.equal(bySender.get('+14255550611')?.get('to'), '22627000');
  assert.equal(bySender.get('+14255550612')?.get('text'), long);
  assert.equal(bySender.get('+14255550613')?.get('text'), 'Да, конечно');
});
