/**
 * Every message id form a carrier uses — decimal or hex, either case, zero-padded or not, and the
 * receipt's text and TLV disagreeing with the submit_sm_resp and with each other — matches 100 %:
 * every message ends DeliveredToTerminal, no receipt is held or unmatched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { inProcessSmsc, smppGateway, waitUntil } from './world.js';

interface Scenario {
  readonly name: string;
  readonly resp: string;
  readonly text: string;
  readonly tlv: string;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'decimal everywhere', resp: 'decimal', text: 'same', tlv: 'same' },
  { name: 'hex response, decimal text, no TLV (jsmpp #56)', resp: 'hex', text: 'decimal', tlv: 'none' },
  { name: 'upper-case padded hex response, bare hex text, padded hex TLV (jasmin #1129)', resp: 'hex-upper', text: 'hex', tlv: 'padded-hex' },
  { name: 'padded decimal response, decimal text, hex TLV (text and TLV disagree)', resp: 'padded-decimal', text: 'decimal', tlv: 'hex' },
  { name: 'padded hex response, padded decimal text, decimal TLV (smscsim #4)', resp: 'padded-hex', text: 'padded-decimal', tlv: 'decimal' },
  { name: 'decimal response, upper-case hex text and TLV', resp: 'decimal', text: 'hex-upper', tlv: 'hex-upper' },
];

for (const s of SCENARIOS) {
  test(`receipt ids: ${s.name}`, async (t) => {
    const smsc = await inProcessSmsc({
      SWITCHBOARD_SIM_SMPP_ID_FORM: s.resp,
      SWITCHBOARD_SIM_SMPP_RECEIPT_ID_FORM: s.text,
      SWITCHBOARD_SIM_SMPP_TLV_ID_FORM: s.tlv,
    });
    t.after(() => smsc.close());
    const world = await smppGateway(smsc.smppPort);
    t.after(() => world.gw.close());

    const count = 12;
    const ids = await Promise.all(
      Array.from({ length: count }, (_, i) => world.sendSms(`+1425555${String(500 + i).padStart(4, '0')}`, i % 3 === 0 ? `long ${i} `.repeat(30) : `id form ${i}`)),
    );
    const statuses = await world.finalStatuses(ids);
    assert.deepEqual(statuses, ids.map(() => 'DeliveredToTerminal'));
    const report = await world.report();
    assert.equal(report.receipts.unmatched, 0);
    assert.equal(report.receipts.held, 0);
    assert.equal(report.receipts.matched, report.receipts.received);
    assert.equal(report.receipts.finals, count);
    // The SMSC forgets each message once its receipts are on their way (it kept them 72 h).
    const db = new Database(join(smsc.dataDir, 'switchboard.db'), { readonly: true });
    t.after(() => db.close());
    const kept = () => (db.prepare('select count(*) as n from sim_smsc_messages').get() as { n: number }).n;
    await waitUntil(() => kept() === 0, 5000, 'the SMSC to forget its messages');
  });
}
