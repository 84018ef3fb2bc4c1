import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Connector, ConnectorEvents } from '../network/connector.js';
import { SimulatorConnector } from '../network/simulator/connector.js';
import { SimulatedNetwork } from '../network/simulator/network.js';
import { nextRunAt } from './backoff.js';
import { SUBMIT_KIND, SendService } from '../sms/send.js';
import type { FinalizeResult } from '../store/repos/messages.js';
import type { Store } from '../store/store.js';
import { receiptHandler } from './receipts.js';
import { JobRunner, runnerErrors, type Foreground } from './runner.js';
import { submitWorker } from './submit-worker.js';
import { Sweeper } from './sweeper.js';
import { dlrNotificationBuilder } from '../webhooks/dlr-notification.js';
import { listenerQueue } from '../webhooks/slots.js';

/** Where MO from the network goes (inbound routing). */
export type MoSink = Pick<ConnectorEvents, 'onInbound'> & Partial<Omit<ConnectorEvents, 'onReceipt' | 'onStateChange' | 'onDestinationReady'>>;

async function noMoRoute(): Promise<void> {
  throw new Error('this gateway takes no MO messages');
}

export interface OutboundDeps {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  /** A connector built by the caller; required for SWITCHBOARD_NETWORK=smpp, else the simulator's. */
  readonly connector?: Connector;
  /** A delivery notification job for listener `queue` was committed: wake whoever sends them. */
  readonly notified: (queue: string) => void;
  /** Work the submit and simulated-delivery runners make way for (see RunnerOptions.foreground). */
  readonly foreground?: Foreground;
}

/** Outbound messaging as the gateway runs it: Send SMS, the network, dispatch and the status sweeper. */
export interface Outbound {
  readonly connector: Connector;
  /** The simulated network when SWITCHBOARD_NETWORK=simulator (drives /sim/v1). */
  readonly simulator: SimulatedNetwork | undefined;
  readonly outbox: SendService;
  readonly runner: JobRunner;
  /**
   * Starts the network and the workers. MO messages (and MO parts) from the network go to `mo`;
   * without it the network is told MO cannot be taken (it keeps or refuses them).
   */
  start(mo?: MoSink): Promise<void>;
  /** Stops claiming, finishes the submits in flight, then stops the network. */
  stop(): Promise<void>;
}

/** Wakes the submits waiting for a destination, in pages (a handset may have a long backlog). */
async function wakeDestination(store: Store, clock: Clock, e164: string): Promise<void> {
  const page = 500;
  let after: string | undefined;
  for (;;) {
    const ids = await store.messages.pendingRecipientIds(e164, page, after);
    if (ids.length === 0) return;
    await store.jobs.wake(SUBMIT_KIND, ids, clock.now());
    if (ids.length < page) return;
    after = ids[ids.length - 1];
  }
}

export function createOutbound(deps: OutboundDeps): Outbound {
  const { config, store, clock, log } = deps;
  const schedule = (attempt: number, now: number) => nextRunAt(attempt, now, { baseMs: config.retryBaseMs, capMs: config.retryCapMs });
  const simulator =
    config.network === 'simulator'
      ? new SimulatedNetwork({
          store,
          clock,
          log,
          deliveryDelayMs: config.simDeliveryDelayMs,
          retryWindowMs: config.networkRetryWindowS * 1000,
          schedule,
          leaseMs: config.jobLeaseMs,
          foreground: deps.foreground,
          yieldMs: config.dispatchYieldMs,
          messageRetentionMs: config.simMessageRetentionS * 1000,
        })
      : undefined;
  const connector: Connector | undefined = deps.connector ?? (simulator === undefined ? undefined : new SimulatorConnector(simulator));
  if (connector === undefined) throw new Error(`SWITCHBOARD_NETWORK=${config.network}: no connector for this network`);

  const statusRetentionMs = config.statusRetentionS * 1000;
  const idempotencyRetentionMs = config.idempotencyRetentionS * 1000;
  const notify = dlrNotificationBuilder(config.webhookRetryWindowS * 1000);
  const onFinal = (result: FinalizeResult) => {
    if (result.message.notifyMode !== 'none' && result.message.notifyUrl !== null) deps.notified(listenerQueue(result.message.notifyUrl));
  };
  const runner = new JobRunner({
    jobs: store.jobs,
    clock,
    workerId: `dispatch-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    handlers: [submitWorker({ store, clock, log, connector, statusRetentionMs, notify, onFinal })],
    schedule,
    concurrency: config.dispatchConcurrency,
    leaseMs: config.jobLeaseMs,
    foreground: deps.foreground,
    yieldMs: config.dispatchYieldMs,
    // While the link is down submits wait untouched (no attempts burnt, nothing loaded) and all
    // become claimable the moment it is back.
    paused: (kind) => kind === SUBMIT_KIND && !connector.isUp(),
  });
  runner.on('error', runnerErrors(log, 'dispatch runner error'));
  const outbox = new SendService({
    store,
    clock,
    connector,
    maxRecipients: config.maxRecipients,
    networkRetryWindowMs: config.networkRetryWindowS * 1000,
    idempotencyRetentionMs,
    onAccepted: () => runner.poke(),
  });
  const sweeper = new Sweeper({
    store,
    clock,
    log,
    intervalMs: Math.min(60_000, Math.max(250, Math.min(statusRetentionMs, idempotencyRetentionMs) / 4)),
    deadLetterRetentionMs: config.deadLetterRetentionS * 1000,
  });
  let unsubscribe: (() => void) | undefined;

  return {
    connector,
    simulator,
    outbox,
    runner,
    async start(mo) {
      await connector.start({
        onInbound: noMoRoute,
        ...mo,
        onReceipt: receiptHandler({ store, log, statusRetentionMs, notify, onFinal }),
        onStateChange: (up) => {
          log.info({ network: connector.name, up }, up ? 'network link up' : 'network link down');
          // Submits that failed while the link went down were put off by the back-off schedule;
          // they go now rather than up to minutes after the link is back.
          if (up) {
            store.jobs.wakeAll(SUBMIT_KIND, clock.now()).then(
              () => runner.poke(),
              (err: unknown) => log.error({ err }, 'could not wake the waiting submits'),
            );
          }
        },
        onDestinationReady: (e164) => {
          wakeDestination(store, clock, e164).then(
            () => runner.poke(),
            (err: unknown) => log.error({ err }, 'could not wake the submits of a destination'),
          );
        },
      });
      runner.start();
      sweeper.start();
      unsubscribe = store.onJobsAvailable?.(runner.kinds, () => runner.poke());
    },
    async stop() {
      unsubscribe?.();
      await sweeper.stop();
      connector.refuseSubmits?.();
      await runner.stop();
      await connector.stop();
    },
  };
}
