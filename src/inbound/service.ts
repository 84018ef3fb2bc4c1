import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { SweepLoop, sweepInBatches } from '../dispatch/sweeper.js';
import type { InboundMessage, InboundPart } from '../network/connector.js';
import type { InboxMessage, IncomingMo, MoDisposition, MoPartRecord, PartSetHandler } from '../store/repos/inbox.js';
import type { Store } from '../store/store.js';
import { newMoId } from './ids.js';
import { joinParts, partProblem } from './reassembly.js';
import { keywordsOf, routeMo, type RouteContext } from './routing.js';

export interface InboundServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  readonly log: FastifyBaseLogger;
  /** Called after a notification for listener `queue` was committed, so the webhook engine looks at once. */
  readonly notified: (queue: string) => void;
}

/** How long a network message id is remembered to drop the network's redeliveries. */
const REDELIVERY_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Inbound (MO) messages: persisted and routed in one transaction (inbox, listener, OneAPI
 * subscription, or the unrouted table — never dropped), long ones reassembled from their parts,
 * the poll inbox drained on read, and a sweeper that purges what nobody polled and gives up on
 * part sets that never completed.
 */
export class InboundService {
  readonly #deps: InboundServiceDeps;
  readonly #sweeper: SweepLoop;

  constructor(deps: InboundServiceDeps) {
    this.#deps = deps;
    const { config, log } = deps;
    const shortest = Math.min(config.inboxRetentionS, config.moReassemblyTimeoutS, config.unroutedRetentionS) * 1000;
    const every = Math.min(30_000, Math.max(250, Math.floor(shortest / 4)));
    this.#sweeper = new SweepLoop(() => this.#sweep(), every, (err) => log.error({ err }, 'inbound sweep failed'));
  }

  /** ConnectorEvents.onInbound: resolves once the message is durable and routed. */
  async receive(message: InboundMessage): Promise<void> {
    const { store, clock } = this.#deps;
    const now = clock.now();
    const mo: IncomingMo = { id: newMoId(), from: message.from, to: message.to, text: message.text, receivedAt: message.receivedAt };
    const [context, subscriptions] = await Promise.all([this.#routeContext(message.to, now), store.subscriptions.inboundFor(message.to, keywordsOf(mo.text))]);
    const disposition = routeMo(mo, { ...context, subscriptions });
    const dedup =
      message.networkId === undefined ? undefined : { key: `${message.from}:${message.to}:${message.networkId}`, until: now + REDELIVERY_WINDOW_MS };
    const recorded = await store.inbox.record(mo, disposition, dedup);
    if (recorded) this.#routed(mo, disposition);
  }

  /**
   * ConnectorEvents.onInboundPart: stores one part of a long message; the part completing its set
   * (in whatever order they came) routes the whole message in the same transaction. A repeated
   * part is ignored, a new message reusing a reference is not (InboxRepo.addPart). Throws
   * RangeError for a part that cannot belong to any set.
   */
  async acceptPart(part: InboundPart): Promise<'duplicate' | 'waiting' | 'complete'> {
    const problem = partProblem(part);
    if (problem !== null) throw new RangeError(`MO part refused: ${problem}`);
    const { store, clock, config } = this.#deps;
    const now = clock.now();
    // Looked up before the transaction: routing must be synchronous inside it. The subscriptions
    // depend on the first word, known once the set is whole: the store reads them then.
    const context = await this.#routeContext(part.to, now);
    const record: MoPartRecord = {
      source: part.from,
      destination: part.to,
      reference: part.reference,
      total: part.total,
      seq: part.seq,
      payload: part.payload,
      dataCoding: part.dataCoding,
      receivedAt: part.receivedAt,
    };
    const handler: PartSetHandler = {
      message: (parts) => ({ id: newMoId(), from: part.from, to: part.to, text: joinParts(parts), receivedAt: (parts[0] ?? record).receivedAt }),
      keywords: (mo) => keywordsOf(mo.text),
      route: (mo, subscriptions) => routeMo(mo, { ...context, subscriptions }),
    };
    const outcome = await store.inbox.addPart(record, now + config.moReassemblyTimeoutS * 1000, handler);
    if (outcome.state === 'complete') this.#routed(outcome.result.mo, outcome.result.disposition);
    return outcome.state;
  }

  /** Removes and returns the next batch of the app's short-code inbox, with the count still waiting. */
  take(appId: string, shortCode: string, limit: number): Promise<{ messages: InboxMessage[]; pending: number }> {
    return this.#deps.store.inbox.take(appId, shortCode, limit, this.#deps.clock.now());
  }

  start(): void {
    this.#sweeper.start();
  }

  stop(): Promise<void> {
    return this.#sweeper.stop();
  }

  /**
   * One sweep: purge unpolled messages past retention, move timed-out part sets to unrouted, delete
   * unrouted ones past theirs. True when a backlog is left for the next, right away.
   */
  async #sweep(): Promise<boolean> {
    const { store, clock, config, log } = this.#deps;
    const now = clock.now();
    const purged = await store.inbox.purge(now);
    if (purged > 0) log.info({ purged }, 'unpolled inbox messages purged after retention');
    const expired = await store.inbox.expireParts(now - config.moReassemblyTimeoutS * 1000, joinParts, newMoId);
    if (expired > 0) log.warn({ sets: expired }, 'incomplete MO part sets moved to unrouted');
    const unrouted = await sweepInBatches((n) => store.inbox.sweepUnrouted(now - config.unroutedRetentionS * 1000, n));
    if (unrouted.removed > 0) log.info({ deleted: unrouted.removed }, 'unrouted MO messages deleted after retention');
    return unrouted.more;
  }

  /** What routing a message to `shortCode` needs, but its subscriptions. */
  async #routeContext(shortCode: string, now: number): Promise<Omit<RouteContext, 'subscriptions'>> {
    const { store, config } = this.#deps;
    return {
      shortCode: await store.shortCodes.get(shortCode),
      now,
      inboxRetentionMs: config.inboxRetentionS * 1000,
      webhookWindowMs: config.webhookRetryWindowS * 1000,
    };
  }

  #routed(mo: IncomingMo, disposition: MoDisposition): void {
    if (disposition.kind === 'notify') this.#deps.notified(disposition.notification.queue);
    else if (disposition.kind === 'unrouted') this.#deps.log.warn({ id: mo.id, shortCode: mo.to, reason: disposition.reason }, 'MO message not routed');
  }
}
