import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Store } from './store/store.js';
import type { Outbound } from './dispatch/outbound.js';

/**
 * The wired parts of a running gateway, handed to route plugins and services. Built once by
 * `startGateway`; each area adds its service here rather than reaching into another's internals.
 */
export interface GatewayContext {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  /** Reports whether the network connector is up (for /healthz). */
  readonly networkUp: () => boolean;
  /** Send SMS, the network connector (and simulator), dispatch (src/sms, src/dispatch, src/network). */
  readonly outbound: Outbound;
}
