import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUdh } from '../../src/sms/segment.js';
import { postgresReachable } from '../helpers/postgres.js';
import { twoSmppInstances, waitUntil } from '../smpp/world.js';

/*
 * Two gateways on one PostgreSQL database, bound to one SMSC, sending long messages to one
 * handset: whichever instance submits a message, its concatenation reference must be one no other
 * message there has (TS 23.040 §9.2.3.24.1), or the handset joins the parts of two messages. Each
 * instance counting on its own gave both the same references as soon as both sent.
 */

const reachable = await postgresReachable();

test('two instances on one database never give two long messages to one handset the same reference', { skip: reachable ? false : 'no PostgreSQL server' }, async (t) => {
  const { smsc, instances, app } = await twoSmppInstances(t);
  const gateways = [...instances.values()];

  // Rounds of concurrent sends (each two parts) until both instances have submitted several:
  // which instance takes a submit job is up to their claims.
  const to = '+14255550820';
  const senders = () => {
    const bySender = new Map<string, number>();
    for (const p of smsc.partsTo(to)) {
      const name = smsc.systemIds.get(p.session) ?? '?';
      bySender.set(name, (bySender.get(name) ?? 0) + 1);
    }
    return bySender;
  };
  let sent = 0;
  for (let round = 0; round < 15 && !['one', 'two'].every((n) => (senders().get(n) ?? 0) >= 8); round++) {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        const n = sent++;
        const body = { outboundSMSRequest: { address: `tel:${to}`, message: `Long message ${n}, two parts on one handset. `.repeat(4) } };
        const res = await gateways[n % 2]?.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body });
        assert.equal(res?.status, 201, res?.text);
      }),
    );
    await waitUntil(() => smsc.partsTo(to).length === sent * 2, 10_000, `the parts of ${sent} messages at the SMSC`);
  }
  const bySender = senders();
  assert.ok((bySender.get('one') ?? 0) > 0 && (bySender.get('two') ?? 0) > 0, `both instances submitted: ${JSON.stringify([...bySender])}`);

  const parts = smsc.partsTo(to).map((p) => {
    const udh = parseUdh(p.submit.shortMessage);
    assert.ok(udh, 'a concatenation UDH');
    return udh;
  });
  const byRef = new Map<number, number[]>();
  for (const udh of parts) byRef.set(udh.ref, [...(byRef.get(udh.ref) ?? []), udh.seq]);
  const shared = [...byRef].filter(([, seqs]) => seqs.length !== 2);
  assert.deepEqual(shared, [], `references shared by two messages (ref, part numbers): ${JSON.stringify(shared)}`);
  // One counter for both: the references are consecutive, whichever instance took each.
  const refs = [...byRef.keys()];
  const start = refs.find((r) => !byRef.has((r + 255) % 256));
  assert.ok(start !== undefined);
  assert.deepEqual(new Set(refs), new Set(Array.from({ length: sent }, (_v, i) => (start + i) % 256)));

  // The same through the two stores directly, taking at once on both connection pools.
  const other = '+14255550821';
  const stores = gateways.map((gw) => gw.gateway.ctx.store.smpp);
  const taken = await Promise.all(Array.from({ length: 20 }, (_v, i) => (stores[i % 2] ?? assert.fail('two stores')).nextConcatRef(other, i)));
  assert.equal(new Set(taken).size, 20, `distinct across the instances: ${taken.join(',')}`);
});
