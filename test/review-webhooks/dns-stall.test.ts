import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestGateway } from '../helpers/gateway.js';
import { createApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';
import { startListener } from '../webhooks/listener.js';

/*
 * One app's listener on a host name whose DNS never answers holds up every other app's webhooks
 * to listeners named by host name. The connect guard resolves names with dns.lookup
 * (src/webhooks/connect-guard.ts guardedLookup): getaddrinfo on libuv's thread pool, where at most
 * 2 lookups run at once in the whole process (libuv's slow-I/O limit, half the 4 threads). A POST's
 * timeout aborts the request but not its getaddrinfo, which holds its place for the resolver's
 * whole timeout (10 s with glibc's defaults); every retry of the broken listener's notifications
 * queues another. The other listeners' lookups wait behind them, past their connect timeout.
 *
 * Reproduced for real: the test re-runs itself in a private user+network namespace (unshare -rn)
 * where the resolver address of /etc/resolv.conf is a local UDP socket that swallows queries.
 * The victim's listener is `http://localhost:PORT/…` (resolved from /etc/hosts, no DNS at all).
 */

const IN_NETNS = process.env.REVIEW_IN_NETNS === '1';
const self = fileURLToPath(import.meta.url);

function resolverAddress(): string {
  const line = readFileSync('/etc/resolv.conf', 'utf8').split('\n').find((l) => /^\s*nameserver\s+\d+\.\d+\.\d+\.\d+/.test(l));
  assert.ok(line, 'an IPv4 nameserver in /etc/resolv.conf');
  return line.trim().split(/\s+/)[1]!;
}

test("one app's listener with unanswered DNS holds up another app's webhooks", { skip: IN_NETNS }, () => {
  const ns = resolverAddress();
  const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
  const script = `ip link set lo up && ip addr add ${ns}/32 dev lo && ${tsx} --test ${self}`;
  const env: Record<string, string | undefined> = { ...process.env, REVIEW_IN_NETNS: '1', SWITCHBOARD_TEST_STORE: 'sqlite' };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync('unshare', ['-rn', 'sh', '-c', script], { encoding: 'utf8', timeout: 170_000, env });
  const out = `${run.stdout}\n${run.stderr}`;
  const lines = out.split('\n').filter((l) => /measured|not ok|Error|error:|listener/.test(l)).slice(0, 30).join('\n');
  console.log(lines);
  assert.equal(run.status, 0, `inside the namespace:\n${lines}`);
});

test('inside the namespace', { skip: !IN_NETNS }, async () => {
  // The resolver: receives every query, answers none.
  const hole = createSocket('udp4');
  hole.on('message', () => undefined);
  await new Promise<void>((resolve) => hole.bind(53, resolverAddress(), resolve));
  const gw = await startTestGateway({
    SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '2000',
    SWITCHBOARD_RETRY_BASE_MS: '500',
    SWITCHBOARD_RETRY_CAP_MS: '1000',
  });
  const victimListener = await startListener();
  const byAddress = await startListener();
  try {
    // Control: a listener named by its IP address needs no lookup.
    await createApp(gw, { shortCodes: [{ shortCode: '22627502', moDelivery: 'callback', listenerUrl: byAddress.url }] });
    const port = new URL(victimListener.url).port;
    await createApp(gw, { shortCodes: [{ shortCode: '22627500', moDelivery: 'callback', listenerUrl: `http://localhost:${port}/mo` }] });
    const deliver = async (n: number) => {
      const t0 = Date.now();
      await sendMo(gw, '+14255550123', '22627500', `victim ${n}`);
      await victimListener.waitFor(n, 8000).catch(() => undefined);
      return victimListener.received.length >= n ? Date.now() - t0 : Infinity;
    };
    const before = await deliver(1);

    // Another app: its listener is on a name whose DNS does not answer; a few MO for it.
    await createApp(gw, { shortCodes: [{ shortCode: '22627501', moDelivery: 'callback', listenerUrl: 'http://listener.unanswered-dns.example:8080/mo' }] });
    for (let i = 0; i < 8; i += 1) await sendMo(gw, `+1425555${2000 + i}`, '22627501', `mo ${i}`);
    // Past the listener server's keep-alive, so the victim's next POST opens a connection.
    await new Promise((r) => setTimeout(r, 1500));

    const t0 = Date.now();
    await sendMo(gw, '+14255550124', '22627502', 'control');
    await byAddress.waitFor(1, 8000).catch(() => undefined);
    const control = byAddress.received.length >= 1 ? Date.now() - t0 : Infinity;
    const during = await deliver(2);
    console.log(`measured: victim MO (listener http://localhost:PORT) delivered in ${before} ms before, ${during} ms with the other app's listener DNS unanswered; control listener by IP: ${control} ms`);
    // A clean stop would wait for every queued getaddrinfo to time out (minutes): leave at once,
    // with the verdict as the exit code (the namespace goes with the process).
    rmSync(gw.dataDir, { recursive: true, force: true });
    process.exit(during < 4000 ? 0 : 1);
  } finally {
    hole.close();
  }
});
