/**
 * SMPP over TLS (`smpps://`): a gateway bound to the simulator SMSC serving TLS, an SMSC whose
 * certificate it does not trust, and an SMSC that asks for a client certificate. The
 * certificates are the test-only ones of test/fixtures/tls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSmsc } from '../../src/network/sim-smsc/standalone.js';
import { inProcessSmsc, smppGateway, waitUntil } from './world.js';
import { repoFile } from '../helpers/root.js';

const fixture = (name: string) => repoFile(`test/fixtures/tls/${name}`);
const SMSC_TLS = { SWITCHBOARD_SIM_SMPP_TLS_CERT: fixture('localhost.crt'), SWITCHBOARD_SIM_SMPP_TLS_KEY: fixture('localhost.key') };

test('smpps://: the gateway binds over TLS to an SMSC it trusts; messages, receipts and MO travel through it', async (t) => {
  const smsc = await inProcessSmsc(SMSC_TLS);
  t.after(() => smsc.close());
  const world = await smppGateway(smsc.smppPort, {
    SWITCHBOARD_SMPP_URL: `smpps://switchboard:secret@localhost:${smsc.smppPort}`,
    SWITCHBOARD_SMPP_TLS_CA: fixture('localhost.crt'),
  });
  t.after(() => world.gw.close());

  const id = await world.sendSms('+14255550901', 'over TLS');
  assert.equal(await world.finalStatus(id), 'DeliveredToTerminal');
  assert.deepEqual((await smsc.handset('+14255550901')).map((m) => m.text), ['over TLS']);
  await smsc.mo('+14255550902', '22627400', 'back over TLS');
  await waitUntil(async () => {
    const inbox = await world.gw.request('GET', '/sms/v3/messaging/inbox/22627400', { headers: world.app.auth });
    return inbox.status === 200 && JSON.stringify(inbox.json()).includes('back over TLS');
  }, 10_000, 'the MO in the inbox');
  const [bind] = smsc.running.smsc.stats().binds;
  assert.ok(bind, 'the SMSC has the bind');
  assert.equal((await world.report()).tls, true, 'the admin API says the binds are over TLS');
});

test('smpps:// to an SMSC whose certificate the gateway does not trust: no bind, the reason reported, messages wait', async (t) => {
  const smsc = await inProcessSmsc(SMSC_TLS);
  t.after(() => smsc.close());
  // No SWITCHBOARD_SMPP_TLS_CA: the system's roots do not know the SMSC's self-signed certificate.
  const world = await smppGateway(smsc.smppPort, { SWITCHBOARD_SMPP_URL: `smpps://switchboard:secret@localhost:${smsc.smppPort}` }, undefined, { waitBound: false });
  t.after(() => world.gw.close());

  let lastError = '';
  await waitUntil(async () => {
    lastError = (await world.report()).links[0]?.lastError ?? '';
    return lastError !== '';
  }, 5000, 'a failed bind');
  assert.match(lastError, /over TLS: self[- ]signed certificate \(the SMSC's certificate does not chain to the system's roots or to SWITCHBOARD_SMPP_TLS_CA\)$/);
  assert.equal(world.gw.gateway.ctx.outbound.connector.isUp(), false);
  const id = await world.sendSms('+14255550903', 'not to an untrusted SMSC');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await world.finalStatus(id, 0), 'DeliveredToNetwork', 'accepted, not final (AT&T shows a waiting message so)');
  assert.deepEqual(await smsc.handset('+14255550903'), []);
  assert.equal(smsc.running.smsc.stats().binds.length, 0);
});

test('the simulator SMSC logs a TLS handshake that failed (an ESME without its CA): a warning with the reason', async (t) => {
  // It logged nothing: the failure showed only on the gateway's side (an operator trial).
  const lines: Array<{ level: number; msg: string; reason?: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-smsc-tls-'));
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_TOKEN: 'smsc-admin-token-0123456789', SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL', ...SMSC_TLS });
  const smsc = await startSmsc(config, { smppPort: 0, logger: createLogger('info', sink) });
  t.after(async () => {
    await smsc.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const world = await smppGateway(smsc.smppPort, { SWITCHBOARD_SMPP_URL: `smpps://switchboard:secret@localhost:${smsc.smppPort}` }, undefined, { waitBound: false });
  t.after(() => world.gw.close());
  await waitUntil(() => lines.some((l) => l.msg === 'simulator SMSC: TLS handshake failed'), 5000, 'the SMSC\'s warning');
  const warning = lines.find((l) => l.msg === 'simulator SMSC: TLS handshake failed');
  assert.equal(warning?.level, 40);
  // What the SMSC saw: here the ESME hung up on a certificate it does not trust.
  assert.ok((warning?.reason ?? '') !== '', 'the reason');
});

/**
 * A TLS front that demands a client certificate signed by client.crt, in front of the plain SMSC
 * (as stunnel or a carrier's TLS terminator would be); its port.
 */
async function clientCertFront(t: { after(fn: () => Promise<void>): void }, smscPort: number): Promise<number> {
  const front = createTlsServer(
    { cert: readFileSync(fixture('localhost.crt')), key: readFileSync(fixture('localhost.key')), ca: readFileSync(fixture('client.crt')), requestCert: true, rejectUnauthorized: true },
    (client) => {
      const upstream = connect(smscPort, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    },
  );
  front.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => front.close(() => r())));
  const address = front.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

test('smpps:// with a client certificate: an SMSC that asks for one binds the gateway that has it, and only that one', async (t) => {
  const smsc = await inProcessSmsc();
  t.after(() => smsc.close());
  const frontPort = await clientCertFront(t, smsc.smppPort);
  const url = `smpps://switchboard:secret@127.0.0.1:${frontPort}`;

  const without = await smppGateway(frontPort, { SWITCHBOARD_SMPP_URL: url, SWITCHBOARD_SMPP_TLS_CA: fixture('localhost.crt') }, undefined, { waitBound: false });
  t.after(() => without.gw.close());
  await waitUntil(async () => ((await without.report()).links[0]?.lastError ?? '') !== '', 5000, 'a failed bind');
  assert.equal(without.gw.gateway.ctx.outbound.connector.isUp(), false, 'no client certificate, no bind');

  const world = await smppGateway(frontPort, {
    SWITCHBOARD_SMPP_URL: url,
    SWITCHBOARD_SMPP_TLS_CA: fixture('localhost.crt'),
    SWITCHBOARD_SMPP_TLS_CERT: fixture('client.crt'),
    SWITCHBOARD_SMPP_TLS_KEY: fixture('client.key'),
  });
  t.after(() => world.gw.close());
  const id = await world.sendSms('+14255550904', 'with a client certificate');
  assert.equal(await world.finalStatus(id), 'DeliveredToTerminal');
  assert.deepEqual((await smsc.handset('+14255550904')).map((m) => m.text), ['with a client certificate']);
});

test('smpps://: SIGHUP reads the CA and client certificate files again; binds made after it use them, files that would not work are refused', async (t) => {
  const smsc = await inProcessSmsc();
  t.after(() => smsc.close());
  const frontPort = await clientCertFront(t, smsc.smppPort);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-smpps-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = join(dir, 'ca.crt');
  const cert = join(dir, 'esme.crt');
  const key = join(dir, 'esme.key');
  // The client certificate the front does not know yet: before the renewal reaches the gateway.
  copyFileSync(fixture('localhost.crt'), ca);
  copyFileSync(fixture('localhost.crt'), cert);
  copyFileSync(fixture('localhost.key'), key);
  const world = await smppGateway(
    frontPort,
    { SWITCHBOARD_SMPP_URL: `smpps://switchboard:secret@127.0.0.1:${frontPort}`, SWITCHBOARD_SMPP_TLS_CA: ca, SWITCHBOARD_SMPP_TLS_CERT: cert, SWITCHBOARD_SMPP_TLS_KEY: key },
    undefined,
    { waitBound: false },
  );
  t.after(() => world.gw.close());
  await waitUntil(async () => ((await world.report()).links[0]?.lastError ?? '') !== '', 5000, 'a refused bind');
  const id = await world.sendSms('+14255550905', 'after the renewal');

  // Last year's pair copied back: it matches, but it has expired.
  copyFileSync(fixture('expired.crt'), cert);
  copyFileSync(fixture('expired.key'), key);
  assert.equal(world.gw.gateway.reloadTls(), false);
  // The renewed certificate copied before its key.
  copyFileSync(fixture('client.crt'), cert);
  assert.equal(world.gw.gateway.reloadTls(), false);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(world.gw.gateway.ctx.outbound.connector.isUp(), false, 'the refused files are not used');

  copyFileSync(fixture('client.key'), key);
  assert.equal(world.gw.gateway.reloadTls(), true);
  assert.equal(await world.finalStatus(id), 'DeliveredToTerminal', 'the next bind presents the renewed certificate');
  assert.deepEqual((await smsc.handset('+14255550905')).map((m) => m.text), ['after the renewal']);
});
