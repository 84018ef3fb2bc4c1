import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { SweepLoop, sweepInBatches } from '../dispatch/sweeper.js';
import type { InboundMessage, InboundPart } from '../network/connector.js';
import type { InboxMessage, IncomingMo, MoDisposition, MoPartRecord, PartSet, PartSetHandler } from '../store/repos/inbox.js';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { moText } from '../sms/storable-text.js';
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

/** Timed-out part sets moved to unrouted per sweep (besides those waiting to be tried again). */
const EXPIRE_BATCH = 1000;

function partSetKey(set: PartSet): string {
  return `${set.source}:${set.destination}:${set.reference}:${set.total}`;
}

/**
 * Inbound (MO) messages: persisted and routed in one transaction (inbox, listener, OneAPI
 * subscription, or the unrouted table — never dropped), long ones reassembled from their parts,
 * the poll inbox drained on read, and a sweeper that purges what nobody polled and gives up on
 * part sets that never completed.
 */
export class InboundService {
  readonly #deps: InboundServiceDeps;
  readonly #sweeper: SweepLoop;
  /**
   * Timed-out part sets that could not be moved to unrouted, by key, with when to try again: one
   * such set must neither stop the sweep nor be tried at every one (it is logged each time).
   */
  #failedSets = new Map<string, number>();

  constructor(deps: InboundServiceDeps) {
    this.#deps = deps;
    const { config, log } = deps;
    const shortest = Math.min(config.inboxRetentionS, config.moReassemblyTimeoutS, config.unroutedRetentionS) * 1000;
    const every = Math.min(30_000, Math.max(250, Math.floor(shortest / 4)));
    this.#sweeper = new SweepLoop(() => this.#sweep(), every, (err) => log.error({ err }, 'inbound sweep failed'));
  }

  /**
   * ConnectorEvents.onInbound: resolves once the message is durable and routed. The text is made
   * storable here (and in joinParts for long ones), whichever network it came from.
   */
  async receive(message: InboundMessage): Promise<void> {
    const { store, clock } = this.#deps;
    const now = clock.now();
    const mo: IncomingMo = { id: newMoId(), from: message.from, to: message.to, text: moText(message.text), receivedAt: message.receivedAt };
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
    const expired = await this.#expireParts(now);
    if (expired > 0) log.warn({ sets: expired }, 'incomplete MO part sets moved to unrouted');
    const unrouted = await sweepInBatches((n) => store.inbox.sweepUnrouted(now - config.unroutedRetentionS * 1000, n));
    if (unrouted.removed > 0) log.info({ deleted: unrouted.removed }, 'unrouted MO messages deleted after retention');
    return unrouted.more;
  }

  /**
   * Moves the timed-out part sets to unrouted, one transaction each. A set that fails is logged and
   * tried again one reassembly timeout later, while the others go on; the scan asks for as many
   * more sets as wait so, so that they never take the places of those behind them. A store
   * that cannot be reached fails the whole sweep (tried again at the next).
   */
  async #expireParts(now: number): Promise<number> {
    const { store, config, log } = this.#deps;
    const timeoutMs = config.moReassemblyTimeoutS * 1000;
    const sets = await store.inbox.expiredPartSets(now - timeoutMs, EXPIRE_BATCH + this.#failedSets.size);
    const failed = new Map<string, number>();
    let moved = 0;
    for (const set of sets) {
      const key = partSetKey(set);
      const retryAt = this.#failedSets.get(key);
      if (retryAt !== undefined && now < retryAt) {
        failed.set(key, retryAt);
        continue;
      }
      try {
        if (await store.inbox.expirePartSet(set, joinParts, newMoId)) moved += 1;
      } catch (err) {
        if (err instanceof StoreUnavailableError) throw err;
        log.error({ err, set }, 'incomplete MO part set could not be moved to unrouted; tried again later');
        failed.set(key, now + timeoutMs);
      }
    }
    // Only the sets the scan still found are remembered: one completed or gone meanwhile is forgotten.
    this.#failedSets = failed;
    return moved;
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
