import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS } from '../../src/network/smpp/pdu.js';
import { postgresReachable } from '../helpers/postgres.js';
import { twoSmppInstances, waitUntil } from '../smpp/world.js';

/*
 * Two gateways on one PostgreSQL database, bound to one SMSC. A receipt can come in on the bind of
 * the instance that did not submit its message, before the submitting one has stored the part:
 * the receiving instance holds it. When that instance stops, the one still running must take the
 * held receipt over, not leave the recipient waiting for its final status until some restart.
 */

const reachable = await postgresReachable();

test('a receipt held by an instance that stopped is matched by the instance still running', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  // Either instance may take the submit job. The submit waits for its response while the other
  // instance stops, which on a loaded machine may outlast FAST_SMPP's 1.5 s response timeout; its
  // job's lease must outlast that wait (the gateway refuses a shorter one).
  const { smsc, instances, app } = await twoSmppInstances(t, { SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS: '60000', SWITCHBOARD_JOB_LEASE_MS: '120000' });
  const front = instances.get('one');
  assert.ok(front);

  smsc.holdResponses = true;
  const to = '+14255550811';
  const sent = await front.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: `tel:${to}`, message: 'held elsewhere' } } });
  assert.equal(sent.status, 201, sent.text);
  const id = sent.json().outboundSMSResponse.messageId as string;
  await waitUntil(() => smsc.partsTo(to).length === 1, 5000, 'the submit at the SMSC');
  const [submitted] = smsc.partsTo(to);
  assert.ok(submitted);
  const submitter = smsc.systemIds.get(submitted.session);
  const [holderSession] = [...smsc.sessions].filter((s) => s !== submitted.session);
  const holderName = holderSession === undefined ? undefined : smsc.systemIds.get(holderSession);
  const holder = holderName === undefined ? undefined : instances.get(holderName);
  const survivor = submitter === undefined ? undefined : instances.get(submitter);
  assert.ok(holderSession && holder && survivor && holder !== survivor, 'one instance submitted, the other takes the receipt');

  assert.equal(await smsc.receipt(submitted.id, 'DELIVRD', { session: holderSession }), STATUS.ROK, 'the holder acknowledges it once held');
  const holderSmpp = holder.gateway.ctx.smpp;
  assert.ok(holderSmpp);
  assert.equal((await holderSmpp.report()).receipts.held, 1, 'held by the instance it came in on');

  await holder.close();
  instances.delete(holderName ?? '');
  smsc.holdResponses = false;
  smsc.releaseResponses();
  // Adopted within ten receipt retry periods (100 ms here), then matched.
  let status = '';
  await waitUntil(
    async () => {
      const res = await survivor.request('GET', `/sms/v3/messaging/outbox/${id}`, { headers: app.auth });
      status = res.json().DeliveryInfoList.DeliveryInfo[0].DeliveryStatus as string;
      return status === 'DeliveredToTerminal';
    },
    10_000,
    'the survivor to finish the message',
  ).catch(() => undefined);
  assert.equal(status, 'DeliveredToTerminal');
  const survivorSmpp = survivor.gateway.ctx.smpp;
  assert.ok(survivorSmpp);
  // The held record is released just after the final state it led to is stored.
  await waitUntil(async () => (await survivorSmpp.report()).receipts.held === 0, 5000, 'the held receipt released').catch(() => undefined);
  const report = await survivorSmpp.report();
  assert.equal(report.receipts.held, 0);
  assert.equal(report.receipts.unmatched, 0);
});
