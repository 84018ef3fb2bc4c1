import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKannel, startKannel, type KannelDlrStorage, type KannelProc } from '../lib/kannel.js';
import { DELIVERED, openBenchDb, seedSqliteMessages, waitForCount, type BenchDb } from '../lib/db.js';
import { startListener } from '../lib/listener.js';
import { STALL_MS } from '../lib/progress.js';
import { load, sendBody } from '../lib/load.js';
import { startGatewayProcess, startRelay, startSink, startSmscProcess, type SmppPeerProc } from '../lib/processes.js';
import { provisionApp } from '../lib/provision.js';
import { fmt, row, type Row } from '../lib/report.js';
import { freshStore, type StoreKind } from '../lib/stores.js';

const TO = '+14255550100';
const SMPP_BODY = JSON.stringify({ outboundSMSRequest: { address: `tel:${TO}`, message: 'Switchboard bench over SMPP', notifyDeliveryStatus: true } });

/**
 * The SMSC the SMPP path runs against: the simulator SMSC (`switchboard smsc`, a durable SMSC with
 * its own store, as the end-to-end scenario asks) or the SMSC sink (bench/smsc-sink.ts,
 * the conditions of the reference figure).
 */
export type SmscKind = 'simulator' | 'sink';

const SMSC_LABEL: Record<SmscKind, string> = { simulator: 'simulator SMSC', sink: 'SMSC sink' };

async function startSmsc(kind: SmscKind): Promise<{ proc: SmppPeerProc; close(): Promise<void> }> {
  if (kind === 'sink') {
    const proc = await startSink();
    return { proc, close: () => proc.stop() };
  }
  const store = await freshStore('sqlite');
  const proc = await startSmscProcess({ ...store.env, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL' });
  return {
    proc,
    close: async () => {
      await proc.stop();
      await store.drop();
    },
  };
}

/** Messages accepted → DeliveredToTerminal on the simulated network, backlog drained. */
export async function endToEndSimulator(kind: StoreKind, count: number): Promise<Row[]> {
  const store = await freshStore(kind);
  const gateway = await startGatewayProcess({ ...store.env, SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '0' });
  const db = openBenchDb(store);
  try {
    const app = await provisionApp(gateway.url, { shortCode: '22627000' });
    const cpuBefore = gateway.cpuSeconds();
    const start = performance.now();
    const r = await load({ url: `${gateway.url}/sms/v3/messaging/outbox`, connections: 16, amount: count, headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` }, body: sendBody(TO) });
    const acceptedAt = performance.now();
    const done = await waitForCount(db, DELIVERED, r.requests, STALL_MS);
    const cpu = fmt.cpuPerMsg(gateway.cpuSeconds() - cpuBefore, r.requests);
    const seconds = (done - start) / 1000;
    return [row({ scenario: 'end to end, simulator: accept → DeliveredToTerminal', store: kind, concurrency: '16', messages: fmt.int(r.requests), seconds: fmt.s(seconds), rate: fmt.rate(r.requests / seconds), p50: fmt.ms(r.p50), p99: fmt.ms(r.p99), extra: `accept phase ${fmt.s((acceptedAt - start) / 1000)} s; gateway ${cpu}; RSS ${fmt.mb(gateway.rssMb())}` })];
  } finally {
    await db.close();
    await gateway.stop();
    await store.drop();
  }
}

/**
 * The path users compare gateways on: Send SMS over HTTP (c16, keep-alive) → submit_sm to an SMSC
 * in another process → delivery receipt → delivery-status notification POSTed to a listener on
 * 127.0.0.1; from the first request to the last notification.
 */
export async function endToEndSmpp(kind: StoreKind, count: number, smscKind: SmscKind): Promise<Row[]> {
  const smsc = await startSmsc(smscKind);
  const store = await freshStore(kind);
  const listener = await startListener();
  const gateway = await startGatewayProcess({ ...store.env, SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: `smpp://bench:bench@127.0.0.1:${smsc.proc.smppPort}` });
  const db = openBenchDb(store);
  try {
    await waitHealthy(gateway.url);
    const app = await provisionApp(gateway.url, { shortCode: '22627000', deliveryStatusUrl: listener.url });
    const cpuBefore = { gateway: gateway.cpuSeconds(), smsc: smsc.proc.cpuSeconds() };
    const start = performance.now();
    const r = await load({ url: `${gateway.url}/sms/v3/messaging/outbox`, connections: 16, amount: count, headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` }, body: SMPP_BODY });
    const acceptedAt = performance.now();
    const backlog = await stagesAt(db, listener.count(), r.requests);
    const last = await listener.waitFor(r.requests, STALL_MS);
    const cpu = `gateway ${fmt.cpuPerMsg(gateway.cpuSeconds() - cpuBefore.gateway, r.requests)}, SMSC ${fmt.cpuPerMsg(smsc.proc.cpuSeconds() - cpuBefore.smsc, r.requests)}`;
    const seconds = (last - start) / 1000;
    return [row({ scenario: `end to end, SMPP: HTTP → submit_sm → DLR → notification, ${SMSC_LABEL[smscKind]}`, store: kind, concurrency: '16', messages: fmt.int(r.requests), seconds: fmt.s(seconds), rate: fmt.rate(r.requests / seconds), p50: fmt.ms(r.p50), p99: fmt.ms(r.p99), extra: `last notification ${fmt.s((last - acceptedAt) / 1000)} s after last accept (${backlog}); ${cpu}; gateway RSS ${fmt.mb(gateway.rssMb())}, SMSC RSS ${fmt.mb(smsc.proc.rssMb())}` })];
  } finally {
    await db.close();
    await gateway.stop();
    await smsc.close();
    await listener.close();
    await store.drop();
  }
}

/**
 * The SMPP path's ceiling: the same requests, SMSC and listener as endToEndSmpp, with a relay that
 * stores nothing in the gateway's place (bench/relay-server.ts) — or, `journaled`, one that keeps
 * every step in an append-only journal synced before each answer: what durability costs at least.
 */
export async function relayCeiling(count: number, smscKind: SmscKind, journaled = false): Promise<Row[]> {
  const smsc = await startSmsc(smscKind);
  const listener = await startListener();
  const journalDir = journaled ? mkdtempSync(join(tmpdir(), 'switchboard-bench-journal-')) : undefined;
  const relay = await startRelay(smsc.proc.smppPort, listener.url, journalDir === undefined ? undefined : join(journalDir, 'relay.journal'));
  try {
    const cpuBefore = { relay: relay.cpuSeconds(), smsc: smsc.proc.cpuSeconds() };
    const start = performance.now();
    const r = await load({ url: `${relay.url}/sms/v3/messaging/outbox`, connections: 16, amount: count, headers: { 'content-type': 'application/json' }, body: SMPP_BODY });
    const acceptedAt = performance.now();
    const last = await listener.waitFor(r.requests, STALL_MS);
    const cpu = `relay ${fmt.cpuPerMsg(relay.cpuSeconds() - cpuBefore.relay, r.requests)}, SMSC ${fmt.cpuPerMsg(smsc.proc.cpuSeconds() - cpuBefore.smsc, r.requests)}`;
    const seconds = (last - start) / 1000;
    const relayKind = journaled ? 'SMPP relay, every step in one synced journal' : 'bare SMPP relay, nothing stored';
    return [row({ scenario: `ceiling: ${relayKind}: HTTP → submit_sm → DLR → notification, ${SMSC_LABEL[smscKind]}`, concurrency: '16', messages: fmt.int(r.requests), seconds: fmt.s(seconds), rate: fmt.rate(r.requests / seconds), p50: fmt.ms(r.p50), p99: fmt.ms(r.p99), extra: `last notification ${fmt.s((last - acceptedAt) / 1000)} s after last accept; ${cpu}; relay RSS ${fmt.mb(relay.rssMb())}` })];
  } finally {
    await relay.stop();
    await smsc.close();
    await listener.close();
    if (journalDir !== undefined) rmSync(journalDir, { recursive: true, force: true });
  }
}

const DLR_LABEL: Record<KannelDlrStorage, string> = { internal: 'DLRs in memory (its default)', sqlite3: 'DLRs in SQLite' };

/**
 * The reference, measured instead of quoted: Kannel (bench/lib/kannel.ts) on the same
 * path — sendsms over HTTP (c16, keep-alive) → submit_sm → receipt → its dlr-url fetched from the
 * same listener — against the same SMSC, from the first request to the last notification.
 */
export async function kannelReference(count: number, smscKind: SmscKind, dlrStorage: KannelDlrStorage): Promise<Row[]> {
  const scenario = `reference: Kannel 1.4.5, ${DLR_LABEL[dlrStorage]}: HTTP → submit_sm → DLR → notification, ${SMSC_LABEL[smscKind]}`;
  const boxes = findKannel();
  if (boxes === undefined) return [row({ scenario, rate: 'skipped', extra: "Kannel is not installed (Debian: apt-get install kannel; the bench runs its boxes with a config of its own, not the package's service)" })];
  const smsc = await startSmsc(smscKind);
  const listener = await startListener();
  let kannel: KannelProc | undefined;
  try {
    kannel = await startKannel(boxes, smsc.proc.smppPort, { dlrStorage });
    // dlr-mask 3: one notification per message, when it is delivered or has failed.
    const query = new URLSearchParams({ from: '22627000', to: TO, text: 'Switchboard bench over SMPP', 'dlr-mask': '3', 'dlr-url': `${listener.url}?status=%d` });
    const cpuBefore = { kannel: kannel.cpuSeconds(), smsc: smsc.proc.cpuSeconds() };
    const start = performance.now();
    const r = await load({ url: `${kannel.sendsmsUrl}&${query.toString()}`, connections: 16, amount: count, method: 'GET' });
    const acceptedAt = performance.now();
    const last = await listener.waitFor(r.requests, STALL_MS);
    const cpu = `Kannel ${fmt.cpuPerMsg(kannel.cpuSeconds() - cpuBefore.kannel, r.requests)} (bearerbox and smsbox), SMSC ${fmt.cpuPerMsg(smsc.proc.cpuSeconds() - cpuBefore.smsc, r.requests)}`;
    const rss = kannel.rss();
    const seconds = (last - start) / 1000;
    return [row({ scenario, concurrency: '16', messages: fmt.int(r.requests), seconds: fmt.s(seconds), rate: fmt.rate(r.requests / seconds), p50: fmt.ms(r.p50), p99: fmt.ms(r.p99), extra: `last notification ${fmt.s((last - acceptedAt) / 1000)} s after last accept; ${cpu}; RSS bearerbox ${fmt.mb(rss.bearerbox)}, smsbox ${fmt.mb(rss.smsbox)}` })];
  } finally {
    await kannel?.stop();
    await smsc.close();
    await listener.close();
  }
}

/**
 * How far each stage had got when the last request was accepted: where the backlog sits (which
 * stage the rest of the run waits for) is what the rate alone does not say.
 */
async function stagesAt(db: BenchDb, notified: number, accepted: number): Promise<string> {
  const submitted = await db.count("select count(*) as n from message_recipients where status <> 'Pending'");
  const final = await db.count('select count(*) as n from message_recipients where final_at is not null');
  const pct = (n: number) => `${Math.round((100 * n) / Math.max(accepted, 1))} %`;
  return `then submitted ${pct(submitted)}, final ${pct(final)}, notified ${pct(notified)}`;
}

async function waitHealthy(url: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    const res = await fetch(`${url}/healthz`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became healthy`);
}

/** MO from handsets (via /sim/v1) to (a) a polled inbox, (b) a listener that acks at once. */
export async function inbound(kind: StoreKind, count: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const mode of ['poll', 'callback'] as const) {
    const store = await freshStore(kind);
    const listener = await startListener();
    const gateway = await startGatewayProcess(store.env);
    const db = openBenchDb(store);
    try {
      await provisionApp(gateway.url, { shortCode: '22627000', moDelivery: mode, ...(mode === 'callback' ? { listenerUrl: listener.url } : {}) });
      const body = JSON.stringify({ to: '22627000', text: 'Switchboard bench MO' });
      const start = performance.now();
      const r = await load({ url: `${gateway.url}/sim/v1/handsets/${encodeURIComponent(TO)}/messages`, connections: 16, amount: count, headers: { 'content-type': 'application/json' }, body });
      const done = mode === 'poll'
        ? await waitForCount(db, 'select count(*) as n from inbox_messages', r.requests, STALL_MS)
        : await listener.waitFor(r.requests, STALL_MS);
      const seconds = (done - start) / 1000;
      rows.push(row({ scenario: `inbound MO → ${mode === 'poll' ? 'polled inbox' : 'listener callback'}`, store: kind, concurrency: '16', messages: fmt.int(r.requests), seconds: fmt.s(seconds), rate: fmt.rate(r.requests / seconds), p50: fmt.ms(r.p50), p99: fmt.ms(r.p99), extra: `RSS ${fmt.mb(gateway.rssMb())}` }));
    } finally {
      await db.close();
      await gateway.stop();
      await listener.close();
      await store.drop();
    }
  }
  return rows;
}

/** Status query latency and RSS with `total` messages stored (seeded in bulk, SQLite). */
export async function scale(total: number, durationS: number): Promise<Row[]> {
  const store = await freshStore('sqlite');
  let gateway = await startGatewayProcess(store.env);
  const app = await provisionApp(gateway.url, { shortCode: '22627000' });
  await gateway.stop();
  const seedStart = performance.now();
  const sample = seedSqliteMessages(store.sqliteFile as string, app.id, '22627000', total);
  const seedS = (performance.now() - seedStart) / 1000;
  gateway = await startGatewayProcess(store.env);
  try {
    const rssIdle = gateway.rssMb();
    const r = await load({
      url: gateway.url,
      connections: 16,
      durationS,
      method: 'GET',
      headers: { authorization: `Bearer ${app.token}`, accept: 'application/json' },
      requests: sample.slice(0, 200).map((id) => ({ method: 'GET', path: `/sms/v3/messaging/outbox/${id}` })),
    });
    const bad = r.non2xx > 0 ? `, ${r.non2xx} non-2xx` : '';
    return [row({ scenario: `status query with ${fmt.int(total)} messages stored`, store: 'sqlite', concurrency: '16', messages: fmt.int(r.requests), seconds: fmt.s(r.seconds), rate: fmt.rate(r.perSecond), p50: fmt.ms(r.p50), p99: fmt.ms(r.p99), extra: `RSS idle ${fmt.mb(rssIdle)}, under load ${fmt.mb(gateway.rssMb())}; seeded in ${fmt.s(seedS)} s${bad}` })];
  } finally {
    await gateway.stop();
    await store.drop();
  }
}
