import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostResolver } from '../../src/webhooks/host-resolver.js';
import { startTestGateway, TEST_STORE } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener } from './listener.js';

/*
 * A listener host name whose DNS never answers must not hold up other listeners' webhooks, nor
 * pile up lookups. The sender used dns.lookup: getaddrinfo on libuv's thread pool, two lookups at
 * once for the whole process, each kept for the resolver's whole timeout after its POST gave up;
 * every retry of the broken listener's notifications queued another, and the other apps'
 * listeners named by host name (`localhost` too) missed their connect timeout behind them.
 *
 * Real DNS, no mock: the file runs itself again in private user, mount and network namespaces
 * (`unshare -rmn`) where /etc/resolv.conf names 127.0.0.1 (search domain `hooks.test`), on which
 * a test DNS server answers `listener.answering-dns.example` and `short.hooks.test` and swallows
 * every other query.
 */

const IN_NAMESPACE = process.env.SWITCHBOARD_TEST_IN_NETNS === '1';
const self = fileURLToPath(import.meta.url);
const ANSWERED = 'listener.answering-dns.example';
const UNANSWERED = 'listener.unanswered-dns.example';
const ANSWERS = new Map([
  [ANSWERED, '127.0.0.1'],
  ['short.hooks.test', '127.0.0.2'],
]);

/** A DNS server on 127.0.0.1:53: A records for `answers`, no AAAA, and no reply at all for other names. */
async function testDns(answers: ReadonlyMap<string, string>): Promise<{ queries: (name: string) => number; close: () => void }> {
  const asked = new Map<string, number>();
  const socket: Socket = createSocket('udp4');
  socket.on('message', (msg, from) => {
    const labels: string[] = [];
    let i = 12;
    while (msg[i] !== 0 && i < msg.length) {
      const length = msg[i] as number;
      labels.push(msg.subarray(i + 1, i + 1 + length).toString('latin1'));
      i += 1 + length;
    }
    const questionEnd = i + 5;
    const name = labels.join('.').toLowerCase();
    const type = msg.readUInt16BE(i + 1);
    asked.set(name, (asked.get(name) ?? 0) + 1);
    const address = answers.get(name);
    if (address === undefined) return;
    const a = type === 1;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180, 2); // a response, recursion desired and available, no error
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(a ? 1 : 0, 6);
    const record = a ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...address.split('.').map(Number)]) : Buffer.alloc(0);
    socket.send(Buffer.concat([header, msg.subarray(12, questionEnd), record]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(53, '127.0.0.1', resolve));
  return { queries: (name) => asked.get(name) ?? 0, close: () => socket.close() };
}

// The namespaces have no route to PostgreSQL, and names are resolved the same whatever the store:
// the SQLite pass runs it.
if (TEST_STORE === 'sqlite' && !IN_NAMESPACE) {
  test("a listener whose DNS never answers holds up no other listener's webhooks (in private namespaces)", (t) => {
    const probe = spawnSync('unshare', ['-rmn', 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
    if (probe.error !== undefined || probe.status !== 0) {
      t.skip(`no private user, mount and network namespaces here (unshare -rmn with ip): ${probe.error?.message ?? probe.stderr.trim()}`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-dns-'));
    try {
      const resolvConf = join(dir, 'resolv.conf');
      writeFileSync(resolvConf, 'nameserver 127.0.0.1\nsearch hooks.test\n');
      // This file again, run as this process runs (the sources through tsx, or the suite's
      // transpiled copy), its tests its own.
      const node = [process.execPath, ...process.execArgv.filter((a) => !a.startsWith('--test')), self];
      const script = 'mount --bind "$0" /etc/resolv.conf && ip link set lo up && exec "$@"';
      const env: Record<string, string | undefined> = { ...process.env, SWITCHBOARD_TEST_IN_NETNS: '1' };
      delete env.NODE_TEST_CONTEXT;
      const run = spawnSync('unshare', ['-rmn', 'sh', '-c', script, resolvConf, ...node], { encoding: 'utf8', timeout: 120_000, env });
      const out = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.status, 0, `in the namespaces:\n${out.split('\n').filter((l) => /^\s*(not ok|ok|#)|Error|expected|actual|measured/.test(l)).join('\n')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

if (IN_NAMESPACE) {
  test('a lookup DNS never answers fails within its timeout, one query per record type however many ask; hosts file and search domain as the system resolver', async () => {
    const dns = await testDns(ANSWERS);
    try {
      const resolver = new HostResolver(600);
      const t0 = Date.now();
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => resolver.resolve(UNANSWERED)));
      const took = Date.now() - t0;
      assert.ok(took < 1000, `failed after ${took} ms`);
      for (const r of results) assert.equal(r.status === 'rejected' && (r.reason as NodeJS.ErrnoException).code, 'ETIMEOUT');
      // A and AAAA, each sent at most twice (c-ares tries it again once).
      assert.ok(dns.queries(UNANSWERED) <= 4, `${dns.queries(UNANSWERED)} queries`);
      await assert.rejects(resolver.resolve(UNANSWERED), { code: 'ETIMEOUT' }, 'the failure is kept a while');
      assert.ok(dns.queries(UNANSWERED) <= 4, 'without asking again');
      assert.deepEqual(await resolver.resolve(ANSWERED), [{ address: '127.0.0.1', family: 4 }]);
      assert.deepEqual(await resolver.resolve('short'), [{ address: '127.0.0.2', family: 4 }], 'under the search domain');
      const local = await resolver.resolve('LOCALHOST.');
      assert.ok(local.some((a) => a.address === '127.0.0.1'), `localhost from the hosts file: ${JSON.stringify(local)}`);
      assert.equal(dns.queries('localhost'), 0, 'names in the hosts file are not asked of DNS');
    } finally {
      dns.close();
    }
  });

  test("another app's listeners named by host name (hosts file or DNS) are notified at once while one listener's DNS never answers", async () => {
    const dns = await testDns(ANSWERS);
    const gw = await startTestGateway({
      SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '2000',
      SWITCHBOARD_RETRY_BASE_MS: '500',
      SWITCHBOARD_RETRY_CAP_MS: '1000',
    });
    const byHostsFile = await startListener();
    const byDns = await startListener();
    const byAddress = await startListener();
    try {
      const port = (l: { url: string }) => new URL(l.url).port;
      await createApp(gw, {
        shortCodes: [
          { shortCode: '22627500', moDelivery: 'callback', listenerUrl: `http://localhost:${port(byHostsFile)}/mo` },
          { shortCode: '22627501', moDelivery: 'callback', listenerUrl: `http://${ANSWERED}:${port(byDns)}/mo` },
          { shortCode: '22627502', moDelivery: 'callback', listenerUrl: byAddress.url },
        ],
      });
      const deliver = async (code: string, listener: typeof byDns, n: number) => {
        const t0 = Date.now();
        await sendMo(gw, '+14255550123', code, `victim ${n}`);
        await listener.waitFor(n, 8000).catch(() => undefined);
        return listener.received.length >= n ? Date.now() - t0 : Infinity;
      };
      for (const [code, listener] of [['22627500', byHostsFile], ['22627501', byDns], ['22627502', byAddress]] as const) {
        assert.ok((await deliver(code, listener, 1)) < 3000, `${code} before the stall`);
      }

      await createApp(gw, { shortCodes: [{ shortCode: '22627503', moDelivery: 'callback', listenerUrl: `http://${UNANSWERED}:8080/mo` }] });
      for (let i = 0; i < 8; i += 1) await sendMo(gw, `+1425555${2000 + i}`, '22627503', `mo ${i}`);
      // Past the listeners' keep-alive, so that the next POSTs connect (and look their names up) again.
      await new Promise((resolve) => setTimeout(resolve, 1500));

      const during = {
        hostsFile: await deliver('22627500', byHostsFile, 2),
        dns: await deliver('22627501', byDns, 2),
        address: await deliver('22627502', byAddress, 2),
      };
      console.log(`measured during the stall: ${JSON.stringify(during)} ms`);
      assert.ok(dns.queries(UNANSWERED) > 0, 'the broken listener was tried');
      assert.ok(during.hostsFile < 3000 && during.dns < 3000 && during.address < 3000, JSON.stringify(during));
    } finally {
      await gw.close();
      await Promise.all([byHostsFile, byDns, byAddress].map((l) => l.close()));
      dns.close();
    }
  });
}
