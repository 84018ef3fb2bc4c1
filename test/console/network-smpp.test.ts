import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { freePort } from '../smpp/world.js';
import { consolePage, signIn } from './sign-in.js';

/*
 * The Network page and the SMPP metrics with real binds: gateway `carrier` runs the simulated
 * network with its SMPP face; gateway `esme` runs in smpp mode bound to it.
 */
let carrier: TestGateway;
let esme: TestGateway;
let smppPort: number;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  smppPort = await freePort();
  carrier = await startTestGateway({ SWITCHBOARD_SIM_SMPP_PORT: String(smppPort), SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5' });
  esme = await startTestGateway({
    SWITCHBOARD_NETWORK: 'smpp',
    SWITCHBOARD_SMPP_URL: `smpp://console:secret@127.0.0.1:${smppPort}`,
    SWITCHBOARD_SMPP_WINDOW: '7',
    SWITCHBOARD_SMPP_RECONNECT_BASE_MS: '50',
    SWITCHBOARD_SMPP_RECONNECT_CAP_MS: '300',
  });
});
after(async () => {
  await esme.close();
  await carrier.close();
});

async function metric(gw: TestGateway, series: RegExp): Promise<number | undefined> {
  const text = (await gw.request('GET', '/metrics')).text;
  const line = text.split('\n').find((l) => series.test(l));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

test('an SMPP bind on the Network page and in /metrics; the carrier shows its bound ESME', async () => {
  const link = `127.0.0.1:${smppPort}#1`;
  const bound = new RegExp(`^switchboard_smpp_link_bound\\{link="${link.replace(/[.#]/g, '\\$&')}"\\} `);
  const deadline = Date.now() + 15_000;
  while ((await metric(esme, bound)) !== 1 && Date.now() < deadline) await sleep(100);
  assert.equal(await metric(esme, bound), 1);
  assert.equal(await metric(esme, /^switchboard_smpp_window_size\{/), 7);

  const app = await createApp(esme, { shortCodes: [{ shortCode: '22627500', moDelivery: 'poll' }] });
  const sent = await esme.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: { outboundSMSRequest: { address: 'tel:+14255550150', message: 'Over SMPP' } } });
  assert.equal(sent.status, 201, sent.text);
  while ((await metric(esme, /^switchboard_segments_submitted_total /)) !== 1 && Date.now() < deadline) await sleep(100);
  assert.equal(await metric(esme, /^switchboard_smpp_submitted_total\{/), 1);
  assert.equal(await metric(esme, /^switchboard_segments_submitted_total /), 1);
  // The link's own counts only go up: counters, as their `_total` says (promtool flags a gauge so named).
  const exposition = (await esme.request('GET', '/metrics')).text;
  for (const name of ['reconnects', 'submitted', 'throttled']) assert.match(exposition, new RegExp(`^# TYPE switchboard_smpp_${name}_total counter$`, 'm'));
  assert.match(exposition, /^# TYPE switchboard_smpp_window_in_use gauge$/m);

  const page = await consolePage(esme, await signIn(esme), '/console/network');
  assert.match(page, /SMPP 3\.4 \(SMSC\)/);
  assert.match(page, new RegExp(`<h2>SMSC 127\\.0\\.0\\.1:${smppPort}</h2>`));
  assert.match(page, new RegExp(`<td><code>127\\.0\\.0\\.1:${smppPort}#1</code></td><td>transceiver</td><td><span class="badge good">yes</span>`));
  assert.match(page, /<td>0 \/ 7<\/td>/);
  assert.ok(!page.includes('href="/console/handsets"'), 'no Handsets section without the simulated network');

  const face = await consolePage(carrier, await signIn(carrier), '/console/network?fragment=links');
  assert.match(face, new RegExp(`SMPP port ${smppPort}`));
  assert.match(face, /<td><code>console<\/code><\/td><td>transceiver<\/td>/);
  assert.match(face, /<dt>submit_sm received<\/dt><dd>1<\/dd>/);
});
