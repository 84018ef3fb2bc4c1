import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS } from '../../src/network/smpp/pdu.js';
import { startTestGateway } from '../helpers/gateway.js';
import { createTestDatabase, postgresReachable } from '../helpers/postgres.js';
import { ControlledReceiptSmsc } from '../smpp/fake-smsc.js';
import { FAST_SMPP, smppGateway, waitUntil } from '../smpp/world.js';

/*
 * Two gateways on one PostgreSQL database, bound to one SMSC. A receipt can come in on the bind of
 * the instance that did not submit its message, before the submitting one has stored the part:
 * the receiving instance holds it. When that instance stops, the one still running must take the
 * held receipt over, not leave the recipient waiting for its final status until some restart.
 */

const reachable = await postgresReachable();

test('a receipt held by an instance that stopped is matched by the instance still running', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  const database = await createTestDatabase();
  const smsc = await new ControlledReceiptSmsc().start();
  t.after(async () => {
    await smsc.stop();
    await database.drop();
  });
  // The survivor's submit waits for its response while the holder stops: on a loaded machine that
  // may take longer than FAST_SMPP's 1.5 s, after which it would be sent again under another id.
  const shared = { SWITCHBOARD_DATABASE_URL: database.url, SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS: '30000' };
  // Bound first, so the SMSC sends its receipts on this instance's bind.
  const holder = await startTestGateway({
    SWITCHBOARD_NETWORK: 'smpp',
    SWITCHBOARD_SMPP_URL: `smpp://holder:secret@127.0.0.1:${smsc.port}`,
    ...FAST_SMPP,
    ...shared,
  });
  t.after(() => holder.close());
  await waitUntil(() => holder.gateway.ctx.outbound.connector.isUp(), 5000, 'the holder bound');
  const survivor = await smppGateway(smsc.port, shared);
  t.after(() => survivor.gw.close());

  smsc.holdResponses = true;
  const to = '+14255550811';
  const id = await survivor.sendSms(to, 'held elsewhere');
  await waitUntil(() => smsc.partsTo(to).length === 1, 5000, 'the submit at the SMSC');
  const [submitted] = smsc.partsTo(to);
  assert.ok(submitted);
  assert.equal(await smsc.receipt(submitted.id, 'DELIVRD'), STATUS.ROK, 'the holder acknowledges it once held');
  const holderSmpp = holder.gateway.ctx.smpp;
  assert.ok(holderSmpp);
  assert.equal((await holderSmpp.report()).receipts.held, 1, 'held by the instance it came in on');

  await holder.close();
  smsc.holdResponses = false;
  smsc.releaseResponses();
  // Adopted within ten receipt retry periods (100 ms here), then matched.
  assert.equal(await survivor.finalStatus(id, 10_000), 'DeliveredToTerminal');
  const report = await survivor.report();
  assert.equal(report.receipts.held, 0);
  assert.equal(report.receipts.unmatched, 0);
});
