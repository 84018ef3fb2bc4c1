import type { FastifyInstance } from 'fastify';
import { ensureAdminToken } from './auth/admin-token.js';
import { AppCredentialCheck } from './auth/app-credentials.js';
import { warnOfUnknownScopes, warnOfUnusableShortCodes } from './auth/apps.js';
import { createAuthFailures } from './auth/failed-attempts.js';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { type Config, listenUrl, reachableHost } from './config.js';
import type { GatewayContext } from './context.js';
import { listenProblem, withBoundPort } from './http/bind-port.js';
import { buildHttpApp } from './http/app.js';
import { logCertificate, reloadCertificate } from './http/tls.js';
import type { Server as HttpsServer } from 'node:https';
import { RequestsWaiting } from './http/requests-waiting.js';
import { createLogger } from './logger.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { createOutbound } from './dispatch/outbound.js';
import { createSimSmsc } from './network/sim-smsc/server.js';
import { parseSmppUrl, SmppConnector } from './network/smpp/connector.js';
import { InstanceRegistry, sharedSettings } from './instances/registry.js';
import { InboundService } from './inbound/service.js';
import { WebhookEngine } from './webhooks/engine.js';
import { peerEndpoints, type SelfEndpoint, selfEndpoints } from './webhooks/listener-url.js';
import { GatewayMetrics } from './metrics/metrics.js';
import { instrumentStore } from './metrics/store-probe.js';

export interface Gateway {
  /** Base URL the HTTP server listens on, e.g. `http://127.0.0.1:8080` (`https://` with SWITCHBOARD_TLS_CERT). */
  readonly url: string;
  readonly port: number;
  readonly ctx: GatewayContext;
  readonly http: FastifyInstance;
  /** Graceful stop: stop accepting, finish in-flight requests and jobs, close the store. */
  close(): Promise<void>;
  /**
   * Reads the TLS files again (SIGHUP): the HTTPS certificate and key, and the SMPP binds' CA and
   * client certificate. False when any was refused (the ones in use stay), undefined when there are none.
   */
  reloadTls(): boolean | undefined;
}

export interface GatewayOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** A word the shell reads as it is: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A first start: where a new user goes from here. The CLI finds the store by its own environment,
 * so the command names this gateway's store (the same command without it made an app in ./data
 * that the gateway did not know), and the Quickstart's 127.0.0.1:8080 is replaced by where this
 * gateway is. The database URL is named, not printed: it may hold a password.
 */
function firstStartHint(config: Config, url: string): string {
  const create = 'npx switchboard app create --name demo';
  const command =
    config.databaseUrl !== undefined
      ? `\`${create}\` with this gateway's SWITCHBOARD_DATABASE_URL set`
      : config.dataDir === resolve('data')
        ? `\`${create}\` in this directory`
        : `\`SWITCHBOARD_DATA_DIR=${shellWord(config.dataDir)} ${create}\``;
  const quickstart = url === 'http://127.0.0.1:8080' ? 'README "Quickstart"' : `README "Quickstart" with ${url} for http://127.0.0.1:8080`;
  return `next: ${command}, then ${quickstart}; the web console is at ${url}/console (sign in with the admin token), the API docs at ${url}/docs`;
}

/** Wires config → store → network → dispatch → http, and starts listening. */
export async function startGateway(requested: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const config = await withBoundPort(requested);
  const log = options.logger ?? createLogger(config.logLevel);
  // A deliberate switch to the simulator keeps its SMPP settings and must start, but an SMSC that
  // is not used should not go unnoticed: the simulator answers DeliveredToTerminal on its own.
  if (config.ignoredSmppSettings.length > 0) {
    log.warn({ settings: config.ignoredSmppSettings }, 'SWITCHBOARD_NETWORK is simulator: these SMPP settings are ignored and no message goes to an SMSC');
  }
  const clock = options.clock ?? systemClock;
  const metrics = new GatewayMetrics();
  const store: Store = instrumentStore(await openStore(config, log, { serving: true }), metrics);
  const migrations = await store.migrate();
  // An upgrade says what it changed in the store (nothing on an ordinary start).
  if (migrations.length > 0) log.info({ migrations }, 'store migrated');
  const released = await store.releaseLeases?.(clock.now());
  if (released !== undefined && released > 0) log.info({ jobs: released }, 'jobs held by the process before this one are due again');
  await warnOfUnusableShortCodes(store, log);
  await warnOfUnknownScopes(store, log);
  // The port is known once the server listens (PORT=0 in tests); the listener URL guard asks late.
  let boundPort = config.port;
  // The address HOST was bound to (HOST may be a name): what other instances can reach this one by.
  let boundAddress = config.host;
  const smsc = config.network === 'smpp' && config.smpp.url !== undefined ? parseSmppUrl(config.smpp.url) : undefined;
  const listening = () => listenUrl(config.tls, config.host, boundPort);
  const instances = new InstanceRegistry({
    repo: store.instances,
    clock,
    log,
    network: config.network,
    smsc: smsc === undefined ? null : `${smsc.host}:${smsc.port}`,
    url: () => listenUrl(config.tls, boundAddress, boundPort),
    settings: sharedSettings(config),
  });
  // Nor may an app make it call the other instances on this database. Asked before each webhook
  // POST: the endpoints are worked out again only when the port or the peers changed.
  let known: { port: number; address: string; peers: ReturnType<typeof instances.peers>; endpoints: SelfEndpoint[] } | undefined;
  const self = (): readonly SelfEndpoint[] => {
    const peers = instances.peers();
    if (known?.port !== boundPort || known.address !== boundAddress || known.peers !== peers) {
      known = { port: boundPort, address: boundAddress, peers, endpoints: [...selfEndpoints(config, boundPort, boundAddress), ...peerEndpoints(peers)] };
    }
    return known.endpoints;
  };
  const webhooks = new WebhookEngine({ store, clock, config, log, self });
  const inbound = new InboundService({ store, clock, config, log, notified: (queue) => webhooks.notified(queue) });
  const smpp = config.network === 'smpp' ? new SmppConnector({ settings: config.smpp, repo: store.smpp, clock, log, keepOpenMs: 2 * config.networkRetryWindowS * 1000 }) : undefined;
  const requests = new RequestsWaiting();
  const outbound = createOutbound({ config, store, clock, log, notified: (queue) => webhooks.notified(queue), connector: smpp, foreground: requests });
  // The simulated network's SMPP face; MO from handsets stays with this gateway's own routing.
  const simSmsc =
    config.simSmppPort !== undefined && outbound.simulator !== undefined
      ? createSimSmsc({ config, network: outbound.simulator, store, clock, log, takeMo: false })
      : undefined;
  const authFailures = createAuthFailures(config.authFailuresPerMinute, clock);
  const appCredentials = new AppCredentialCheck({ store, clock, failures: authFailures.appSecrets });
  const ctx: GatewayContext = { config, store, clock, log, authFailures, appCredentials, networkUp: () => outbound.connector.isUp(), inbound, webhooks, outbound, smpp, simSmsc, metrics, requests, instances };
  metrics.watch({ clock, jobs: store.jobs, runners: { dispatch: outbound.runner, webhooks: webhooks.events }, smpp });
  const http = await buildHttpApp(ctx);
  try {
    // Before the port is taken or any work is: a gateway on another network must not take this
    // database's jobs (the port is known already, see withBoundPort).
    await instances.join();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  try {
    await http.listen({ host: config.host, port: config.port });
  } catch (err) {
    await instances.leave().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw listenProblem(err, config.host, config.port);
  }
  const address = http.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  boundPort = port;
  if (typeof address === 'object' && address !== null) boundAddress = address.address;
  if (config.tls !== undefined) logCertificate(config.tls, log);
  // A HOST that is a name is now known by the address it was bound to.
  if (boundAddress !== config.host) await instances.refresh();
  webhooks.start();
  inbound.start();
  await outbound.start({
    onInbound: (message) => inbound.receive(message),
    onInboundPart: async (part) => {
      await inbound.acceptPart(part);
    },
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const began = performance.now();
      // Attempts under way that end without finishing their job (the link went, a listener did
      // not answer) leave it due again: for the next start, or another instance, to take.
      let rescheduled = 0;
      const countRescheduled = () => void rescheduled++;
      outbound.runner.on('job:retry', countRescheduled);
      webhooks.events.on('job:retry', countRescheduled);
      // Node stops enforcing the request timeout once the server closes, so a client that never
      // finishes its request would hold the stop for ever: it gets that long, then is cut off.
      const cut = setTimeout(() => http.server.closeAllConnections(), config.requestTimeoutMs);
      try {
        await http.close();
      } finally {
        clearTimeout(cut);
      }
      await simSmsc?.stop();
      await outbound.stop();
      await webhooks.stop();
      await inbound.stop();
      const [, queued] = await Promise.all([
        instances.leave().catch((err: unknown) => log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not remove this instance from the store; it ages out')),
        // Every job the store holds to run (due now, due later, or held by another instance), with
        // nothing of this process's running any more: what the next start, or another instance,
        // finds. Side by side with leave(), so a store that is out holds the stop up once; unread then.
        store.jobs.backlog(Number.MAX_SAFE_INTEGER).then(
          (backlog) => backlog.ready,
          () => undefined,
        ),
      ]);
      await store.close();
      outbound.runner.off('job:retry', countRescheduled);
      webhooks.events.off('job:retry', countRescheduled);
      // The last line of a stop that finished: the process exits 0 after it (a supervisor that
      // cut the stop short at its timeout leaves no such line).
      log.info({ durationMs: Math.round(performance.now() - began), attemptsRescheduled: rescheduled, jobsQueued: queued }, 'stopped');
    })();
    return closing;
  };
  try {
    await simSmsc?.start();
  } catch (err) {
    await close().catch(() => undefined);
    throw listenProblem(err, '127.0.0.1', config.simSmppPort ?? 0, 'SWITCHBOARD_SIM_SMPP_PORT');
  }
  // Only a start that serves makes the admin token: one whose port was taken (or that another
  // network's gateway turned away) printed the token's one showing and exited, and the start after
  // it had none to print. Until now no token existed, so nobody could have been let in early.
  let generatedAdminToken: string | undefined;
  try {
    generatedAdminToken = await ensureAdminToken(store, config);
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  if (generatedAdminToken !== undefined) {
    // Shown once: only its hash is kept. One plain line so it stands out from the JSON logs.
    process.stdout.write(`switchboard: generated admin token (shown once, keep it): ${generatedAdminToken}\n`);
    process.stdout.write(`switchboard: ${firstStartHint(config, listenUrl(config.tls, reachableHost(config.host), port))}\n`);
  }
  const reloadTls = () => {
    // With SWITCHBOARD_TLS_CERT fastify built an https.Server; its types do not say so.
    const https = config.tls === undefined ? undefined : reloadCertificate(http.server as unknown as HttpsServer, config.tls, log);
    const binds = smpp?.reloadTls();
    return https === undefined && binds === undefined ? undefined : https !== false && binds !== false;
  };
  return { url: listening(), port, ctx, http, close, reloadTls };
}
