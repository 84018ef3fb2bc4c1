import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Store } from './store/store.js';
import type { Outbound } from './dispatch/outbound.js';
import type { InboundService } from './inbound/service.js';
import type { WebhookEngine } from './webhooks/engine.js';
import type { SimSmsc } from './network/sim-smsc/server.js';
import type { SmppConnector } from './network/smpp/connector.js';
import type { GatewayMetrics } from './metrics/metrics.js';
import type { RequestsWaiting } from './http/requests-waiting.js';
import type { AuthFailures } from './auth/failed-attempts.js';
import type { AppCredentialCheck } from './auth/app-credentials.js';
import type { InstanceRegistry } from './instances/registry.js';

/**
 * The wired parts of a running gateway, handed to route plugins and services. Built once by
 * `startGateway`; each area adds its service here rather than reaching into another's internals.
 */
export interface GatewayContext {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  /** Failed credential checks per client address: app secrets at /oauth and in HTTP Basic; the admin token, apart. */
  readonly authFailures: AuthFailures;
  /** App Key and App Secret on API calls (HTTP Basic): remembered right secrets, failures counted in `authFailures.appSecrets`. */
  readonly appCredentials: AppCredentialCheck;
  /** Reports whether the network connector is up (for /healthz). */
  readonly networkUp: () => boolean;
  /** Send SMS, the network connector (and simulator), dispatch (src/sms, src/dispatch, src/network). */
  readonly outbound: Outbound;
  /** MO routing and reassembly, the poll inbox (src/inbound). */
  readonly inbound: InboundService;
  /** Notification engine: webhook jobs, listener URL rules, dead letters (src/webhooks). */
  readonly webhooks: WebhookEngine;
  /** The SMPP connector when SWITCHBOARD_NETWORK=smpp: its links for /healthz and /admin/v1/smsc-links. */
  readonly smpp?: SmppConnector;
  /** The simulated network's SMPP server face when SWITCHBOARD_SIM_SMPP_PORT is set. */
  readonly simSmsc?: SimSmsc;
  /** Prometheus metrics of this gateway (src/metrics); absent in processes that serve no /metrics. */
  readonly metrics?: GatewayMetrics;
  /** The gateway processes on this database (absent in processes that serve no admin API). */
  readonly instances?: InstanceRegistry;
  /** HTTP requests not answered yet (counted by the HTTP app; dispatch makes way for them). */
  readonly requests?: RequestsWaiting;
}
