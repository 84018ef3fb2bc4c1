import { DELIVERED, openBenchDb, waitForCount } from '../lib/db.js';
import { load, sendBody } from '../lib/load.js';
import { STALL_MS } from '../lib/progress.js';
import { startCeiling, startGatewayProcess } from '../lib/processes.js';
import { provisionApp } from '../lib/provision.js';
import { fmt, row, type Row } from '../lib/report.js';
import { freshStore, type StoreKind } from '../lib/stores.js';

const TO = '+14255550100';

/** A bare fastify route with the same JSON in and out: what this machine can do at all. */
export async function ceiling(durationS: number, concurrencies: readonly number[]): Promise<Row[]> {
  const server = await startCeiling();
  const rows: Row[] = [];
  try {
    for (const c of concurrencies) {
      const r = await load({ url: `${server.url}/sms/v3/messaging/outbox`, connections: c, durationS, headers: { 'content-type': 'application/json' }, body: sendBody(TO) });
      rows.push(row({ scenario: 'ceiling: bare fastify route', concurrency: String(c), messages: fmt.int(r.requests), seconds: fmt.s(r.seconds), rate: fmt.rate(r.perSecond), p50: fmt.ms(r.p50), p99: fmt.ms(r.p99) }));
    }
  } finally {
    await server.stop();
  }
  return rows;
}

/**
 * Send SMS accepted per second (201 after the durable commit), one recipient per request. The
 * simulated network delivers behind the load in the same process (dispatch makes way for waiting
 * requests), so the notes say how far delivery had got at the last accept and when it caught up,
 * and the CPU per message with that backlog worked off.
 */
export async function accept(kind: StoreKind, durationS: number, concurrencies: readonly number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of concurrencies) {
    const store = await freshStore(kind);
    const gateway = await startGatewayProcess({ ...store.env, SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '0' });
    const db = openBenchDb(store);
    try {
      const app = await provisionApp(gateway.url, { shortCode: '22627000' });
      const cpuBefore = gateway.cpuSeconds();
      const r = await load({
        url: `${gateway.url}/sms/v3/messaging/outbox`,
        connections: c,
        durationS,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
        body: sendBody(TO),
      });
      const acceptedAt = performance.now();
      const cpuAccept = gateway.cpuSeconds() - cpuBefore;
      const rss = gateway.rssMb();
      const deliveredThen = await db.count(DELIVERED);
      const caughtUp = await waitForCount(db, DELIVERED, r.requests, STALL_MS, 250);
      const delivery = `delivered ${Math.round((100 * deliveredThen) / Math.max(1, r.requests))} % at the last accept, all ${fmt.s((caughtUp - acceptedAt) / 1000)} s after it`;
      const cpu = `gateway ${fmt.cpuPerMsg(cpuAccept, r.requests)} (${fmt.cpuPerMsg(gateway.cpuSeconds() - cpuBefore, r.requests)} with the backlog)`;
      const bad = r.non2xx + r.errors > 0 ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : '';
      rows.push(row({ scenario: 'Send SMS accept (v3 JSON)', store: kind, concurrency: String(c), messages: fmt.int(r.requests), seconds: fmt.s(r.seconds), rate: fmt.rate(r.perSecond), p50: fmt.ms(r.p50), p99: fmt.ms(r.p99), extra: `${delivery}; ${cpu}, RSS ${fmt.mb(rss)}${bad}` }));
    } finally {
      await db.close();
      await gateway.stop();
      await store.drop();
    }
  }
  return rows;
}

/** Accept rate of one instance, then of two on one PostgreSQL database, loaded together. */
export async function twoInstances(durationS: number): Promise<Row[]> {
  const store = await freshStore('postgres');
  const a = await startGatewayProcess({ ...store.env, SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '0' });
  const b = await startGatewayProcess({ ...store.env, SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '0' });
  try {
    const app = await provisionApp(a.url, { shortCode: '22627000' });
    const opts = (url: string) => ({ url: `${url}/sms/v3/messaging/outbox`, connections: 16, durationS, headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` }, body: sendBody(TO) });
    const one = await load(opts(a.url));
    const [ra, rb] = await Promise.all([load(opts(a.url)), load(opts(b.url))]);
    const both = ra.perSecond + rb.perSecond;
    const note = 'load generator and both instances share the 2 cores';
    return [
      row({ scenario: 'accept, 1 instance on PostgreSQL', store: 'postgres', concurrency: '16', messages: fmt.int(one.requests), seconds: fmt.s(one.seconds), rate: fmt.rate(one.perSecond), p50: fmt.ms(one.p50), p99: fmt.ms(one.p99), extra: note }),
      row({ scenario: 'accept, 2 instances on one PostgreSQL', store: 'postgres', concurrency: '2×16', messages: fmt.int(ra.requests + rb.requests), seconds: fmt.s(Math.max(ra.seconds, rb.seconds)), rate: fmt.rate(both), p50: fmt.ms((ra.p50 + rb.p50) / 2), p99: fmt.ms(Math.max(ra.p99, rb.p99)), extra: note }),
    ];
  } finally {
    await a.stop();
    await b.stop();
    await store.drop();
  }
}
