/**
 * `switchboard smsc --port N`: the simulated network alone, as an SMSC — its SMPP face on
 * 127.0.0.1:N and `/sim/v1` (plus `/healthz`) on HOST:PORT, no messaging API. MO from handsets
 * goes to bound SMPP receivers. Used to run a gateway in `smpp` mode against a simulator in
 * another process, and by anyone who wants a scriptable SMSC.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppCredentialCheck } from '../../auth/app-credentials.js';
import { createAuthFailures } from '../../auth/failed-attempts.js';
import { systemClock } from '../../clock.js';
import { UsageError } from '../../cli/commands.js';
import { type Config, ConfigError, listenUrl, loadConfig } from '../../config.js';
import type { GatewayContext } from '../../context.js';
import { createOutbound } from '../../dispatch/outbound.js';
import { createFastify } from '../../http/app.js';
import { listenProblem } from '../../http/bind-port.js';
import { errorHandler } from '../../http/error-handler.js';
import { notFound } from '../../http/not-found.js';
import { representation } from '../../http/representation.js';
import { healthRoutes } from '../../http/routes/health.js';
import { simRoutes } from '../../http/routes/sim.js';
import { InboundService } from '../../inbound/service.js';
import { createLogger } from '../../logger.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { WebhookEngine } from '../../webhooks/engine.js';
import { createSimSmsc, type SimSmsc } from './server.js';

export interface RunningSmsc {
  readonly smppPort: number;
  /** Base URL of `/sim/v1`. */
  readonly url: string;
  readonly smsc: SimSmsc;
  readonly http: FastifyInstance;
  readonly store: Store;
  close(): Promise<void>;
}

export async function startSmsc(base: Config, options: { smppPort: number; logger?: Logger }): Promise<RunningSmsc> {
  const config: Config = Object.freeze({ ...base, network: 'simulator' as const, simSmppPort: options.smppPort });
  const log = options.logger ?? createLogger(config.logLevel);
  const clock = systemClock;
  const store = await openStore(config, log, { serving: true });
  await store.migrate();
  const released = await store.releaseLeases?.(clock.now());
  if (released !== undefined && released > 0) log.info({ jobs: released }, 'jobs held by the process before this one are due again');
  // The gateway's own wiring, never started: it supplies the simulated network (and a complete
  // context for the /sim and /healthz plugins); no dispatch, inbound or webhook work runs here.
  const outbound = createOutbound({ config, store, clock, log, notified: () => undefined });
  const network = outbound.simulator;
  if (network === undefined) throw new Error('the simulated network is missing');
  const smsc = createSimSmsc({ config, network, store, clock, log, takeMo: true });
  const authFailures = createAuthFailures(config.authFailuresPerMinute, clock);
  const ctx: GatewayContext = {
    config,
    store,
    clock,
    log,
    authFailures,
    appCredentials: new AppCredentialCheck({ store, clock, failures: authFailures.appSecrets }),
    networkUp: () => network.isUp(),
    outbound,
    inbound: new InboundService({ store, clock, config, log, notified: () => undefined }),
    webhooks: new WebhookEngine({ store, clock, config, log, self: () => [] }),
    simSmsc: smsc,
  };

  const http = createFastify(ctx);
  await http.register(notFound);
  await http.register(errorHandler);
  await http.register(representation);
  await http.register(healthRoutes, { ctx });
  await http.register(simRoutes, { ctx });
  try {
    await http.listen({ host: config.host, port: config.port });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw listenProblem(err, config.host, config.port);
  }
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address !== null ? address.port : config.port;

  await network.start();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const began = performance.now();
      await smsc.stop();
      await http.close();
      await network.stop();
      await store.close();
      // The last line of a stop that finished: the process exits 0 after it.
      log.info({ durationMs: Math.round(performance.now() - began) }, 'stopped');
    })();
    return closing;
  };
  let smppPort: number;
  try {
    smppPort = await smsc.start();
  } catch (err) {
    await close().catch(() => undefined);
    // The port is the command's option, not a setting: a usage error, exit 2 all the same.
    const problem = listenProblem(err, '127.0.0.1', options.smppPort, '--port');
    throw problem instanceof ConfigError ? new UsageError(problem.message) : problem;
  }
  return { smppPort, url: listenUrl(config.tls, config.host, httpPort), smsc, http, store, close };
}

/** The process behind `switchboard smsc`: prints where it listens, stops on SIGTERM/SIGINT. */
export async function runSmscProcess(config: Config, smppPort: number): Promise<void> {
  const running = await startSmsc(config, { smppPort });
  process.stdout.write(`switchboard smsc: smpp=127.0.0.1:${running.smppPort} http=${running.url}\n`);
  const stop = (signal: string) => {
    running.http.log.info({ signal }, 'stopping');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // As the gateway: a hangup must not end it without its stop (its TLS files are read at start only).
  process.on('SIGHUP', () => running.http.log.info({ signal: 'SIGHUP' }, 'nothing to reload'));
}

/** `switchboard smsc --port N` (config from the environment). */
export async function smscCommand(values: Readonly<Record<string, string | boolean | undefined>>): Promise<void> {
  const raw = values['port'];
  const port = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError('smsc needs --port N (0–65535)');
  await runSmscProcess(loadConfig(), port);
}
