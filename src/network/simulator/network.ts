import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.js';
import { JobRunner, runnerErrors, type Foreground, type JobHandler, type JobOutcome } from '../../dispatch/runner.js';
import { SweepLoop, sweepInBatches } from '../../dispatch/sweeper.js';
import { describe } from '../../sms/segment.js';
import type { HandsetKind, HandsetRecord, StoredHandsetMessage } from '../../store/repos/handsets.js';
import type { Job } from '../../store/repos/jobs.js';
import type { Store } from '../../store/store.js';
import type { SubmitResult } from '../connector.js';
import { reassembleParts } from './reassemble.js';

/** One MT as the network receives it: the encoded parts of one message to one handset. */
export interface MtSubmission {
  /** Whose receipts these are: the API connector, or an SMPP session of the simulator's SMSC face. */
  readonly origin: string;
  /** Unique per message (our recipient id, or the network id for SMPP): the handset shows it once. */
  readonly ref: string;
  /** Sender short code, digits only. */
  readonly from: string;
  /** Destination, E.164. */
  readonly to: string;
  readonly dataCoding: number;
  /** Each part's user data; with `udhi` each starts with its concatenation header. */
  readonly parts: readonly Uint8Array[];
  readonly udhi: boolean;
  readonly wantReceipt: boolean;
}

export interface SimReceipt {
  readonly networkId: string;
  readonly ref: string;
  readonly from: string;
  readonly to: string;
  readonly state: 'delivered' | 'expired' | 'undeliverable';
  readonly at: number;
}

/** An MO from a handset to a short code. */
export interface SimMo {
  /** E.164. */
  readonly from: string;
  /** Short code, digits only. */
  readonly to: string;
  readonly text: string;
  readonly receivedAt: number;
}

/** A request the simulated network refuses (the /sim API shows `code`). */
export class SimulatorError extends Error {
  constructor(readonly code: 'network_down' | 'not_mobile' | 'handset_offline' | 'no_mo_route', message: string) {
    super(message);
    this.name = 'SimulatorError';
  }
}

export interface SimulatedNetworkOptions {
  readonly store: Pick<Store, 'handsets' | 'jobs'>;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  /** Time from accepting an MT to the handset having it. */
  readonly deliveryDelayMs: number;
  /** How long an MT for a switched-off handset is kept before it expires. */
  readonly retryWindowMs: number;
  /** When to try a handset again after attempt n (pure back-off schedule). */
  readonly schedule: (attempt: number, now: number) => number;
  readonly leaseMs: number;
  readonly concurrency?: number;
  /** Deliveries make way for this work (see RunnerOptions.foreground). */
  readonly foreground?: Foreground;
  readonly yieldMs?: number;
  /** How long handsets keep their messages (the store would otherwise grow with every one). */
  readonly messageRetentionMs: number;
}

interface DeliveryPayload {
  readonly networkId: string;
  readonly origin: string;
  readonly ref: string;
  readonly from: string;
  readonly to: string;
  readonly dataCoding: number;
  readonly udhi: boolean;
  /** base64 */
  readonly parts: readonly string[];
  readonly wantReceipt: boolean;
}

const DELIVER = 'sim-deliver';

/**
 * The simulated carrier: virtual handsets whose state and inboxes live in the store, MT delivery
 * after a delay, receipts, and MO from handsets. Accepted MTs are jobs in the store (kind
 * `sim-deliver`, ref = the handset number), so a delivery in flight survives a crash and a
 * switched-off handset gets its messages when it comes back. Protocol faces (the API connector, an
 * SMPP server) call `submitMt` and register for receipts and MO; the handset model stays here.
 */
export class SimulatedNetwork {
  readonly #options: SimulatedNetworkOptions;
  readonly #runner: JobRunner;
  readonly #receiptHandlers = new Map<string, (receipt: SimReceipt) => Promise<void>>();
  readonly #readyListeners = new Set<(e164: string) => void>();
  readonly #linkListeners = new Set<(up: boolean) => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #moHandler: ((mo: SimMo) => Promise<void>) | undefined;
  #up = true;
  readonly #pruner: SweepLoop;

  constructor(options: SimulatedNetworkOptions) {
    this.#options = options;
    const handler: JobHandler = {
      kind: DELIVER,
      run: (job) => this.#deliver(job),
      exhausted: async (job, error) => {
        const p = JSON.parse(job.payload ?? '{}') as DeliveryPayload;
        const state = error.startsWith('retry window over') ? 'expired' : 'undeliverable';
        if (p.wantReceipt) await this.#emitReceipt(p, state, options.clock.now());
        return 'drop';
      },
    };
    this.#runner = new JobRunner({
      jobs: options.store.jobs,
      clock: options.clock,
      workerId: `sim-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      handlers: [handler],
      schedule: options.schedule,
      concurrency: options.concurrency ?? 32,
      leaseMs: options.leaseMs,
      foreground: options.foreground,
      yieldMs: options.yieldMs,
    });
    this.#runner.on('error', runnerErrors(options.log, 'simulated network: delivery failed'));
    const { messageRetentionMs, store, clock, log } = options;
    this.#pruner = new SweepLoop(
      async () => {
        const swept = await sweepInBatches((n) => store.handsets.sweepMessages(clock.now() - messageRetentionMs, n));
        if (swept.removed > 0) log.info({ deleted: swept.removed }, 'simulated handsets: messages deleted after retention');
        return swept.more;
      },
      Math.min(60_000, Math.max(250, messageRetentionMs / 4)),
      (err) => log.error({ err }, 'simulated handsets: retention sweep failed'),
    );
  }

  async start(): Promise<void> {
    this.#runner.start();
    this.#pruner.start();
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.#pruner.stop();
    await this.#runner.stop();
  }

  isUp(): boolean {
    return this.#up;
  }

  /** Cuts or restores the link between the network and its clients (a fault for tests). */
  setLinkUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    for (const listener of this.#linkListeners) listener(up);
  }

  onLinkChange(listener: (up: boolean) => void): void {
    this.#linkListeners.add(listener);
  }

  /** Receipts of MTs submitted with `origin` go to `handler`; it must persist before resolving. */
  onReceipt(origin: string, handler: (receipt: SimReceipt) => Promise<void>): void {
    this.#receiptHandlers.set(origin, handler);
  }

  /** Where MO messages go; it must persist before resolving. */
  onMo(handler: (mo: SimMo) => Promise<void>): void {
    this.#moHandler = handler;
  }

  /** Called when a handset can take messages again (switched on, or made a mobile). */
  onHandsetReady(listener: (e164: string) => void): void {
    this.#readyListeners.add(listener);
  }

  handset(e164: string): Promise<HandsetRecord> {
    return this.#options.store.handsets.get(e164);
  }

  async updateHandset(e164: string, changes: { online?: boolean; kind?: HandsetKind }): Promise<HandsetRecord> {
    const { store, clock } = this.#options;
    const before = await store.handsets.get(e164);
    const after = await store.handsets.update(e164, changes, clock.now());
    const reachable = (h: HandsetRecord) => h.online && h.kind === 'mobile';
    if (reachable(after) && !reachable(before)) {
      await store.jobs.wake(DELIVER, [e164], clock.now());
      this.#runner.poke();
      for (const listener of this.#readyListeners) listener(e164);
    }
    return after;
  }

  /**
   * The MTs the handset received, reassembled, oldest first: the first `limit` after the message
   * `after` (from the oldest without it), and whether more follow them.
   */
  async receivedMessages(e164: string, page: { readonly after?: string; readonly limit: number }): Promise<{ messages: StoredHandsetMessage[]; more: boolean }> {
    // One more than asked for says whether the list goes on.
    const messages = await this.#options.store.handsets.messages(e164, 'MT', { after: page.after, limit: page.limit + 1 });
    const more = messages.length > page.limit;
    return { messages: more ? messages.slice(0, page.limit) : messages, more };
  }

  /**
   * Accepts an MT for delivery, like an SMSC answering submit_sm: refuses a number that is not a
   * mobile subscriber for good, a switched-off handset (or a cut link) for now.
   */
  async submitMt(mt: MtSubmission): Promise<SubmitResult> {
    const { store, clock, deliveryDelayMs, retryWindowMs } = this.#options;
    if (!this.#up) return { ok: false, kind: 'temporary', code: 'link-down', detail: 'the simulated network is down' };
    const handset = await store.handsets.get(mt.to);
    if (handset.kind !== 'mobile') return { ok: false, kind: 'permanent', code: 'not-mobile', detail: `${mt.to} is a ${handset.kind} number` };
    if (!handset.online) return { ok: false, kind: 'temporary', code: 'absent-subscriber', detail: `handset ${mt.to} is switched off` };
    // 16 hex digits of a v4 UUID (60 random bits): randomUUID draws from a pooled buffer, where
    // randomBytes(8) called into OpenSSL once per message (≈ 1 % of the gateway's time).
    const networkId = `sim-${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const payload: DeliveryPayload = {
      networkId,
      origin: mt.origin,
      ref: mt.ref,
      from: mt.from,
      to: mt.to,
      dataCoding: mt.dataCoding,
      udhi: mt.udhi,
      parts: mt.parts.map((p) => Buffer.from(p).toString('base64')),
      wantReceipt: mt.wantReceipt,
    };
    const now = clock.now();
    await store.jobs.enqueue([
      { kind: DELIVER, ref: mt.to, payload: JSON.stringify(payload), runAt: now + deliveryDelayMs, deadlineAt: now + retryWindowMs },
    ]);
    this.#pokeAfter(deliveryDelayMs);
    return { ok: true, networkId };
  }

  /** A handset texts a short code. The MO is handed on (and persisted there) before this resolves. */
  async sendMo(from: string, to: string, text: string): Promise<SimMo> {
    const { store, clock } = this.#options;
    if (!this.#up) throw new SimulatorError('network_down', 'the simulated network is down');
    const handset = await store.handsets.get(from);
    if (handset.kind !== 'mobile') throw new SimulatorError('not_mobile', `${from} is a ${handset.kind} number and cannot text`);
    if (!handset.online) throw new SimulatorError('handset_offline', `handset ${from} is switched off`);
    if (this.#moHandler === undefined) throw new SimulatorError('no_mo_route', 'nothing takes MO messages on this network');
    const mo: SimMo = { from, to, text, receivedAt: clock.now() };
    await this.#moHandler(mo);
    const { encoding, segments } = describe(text);
    await store.handsets.recordMo({ number: from, direction: 'MO', peer: to, text, encoding, segments, receivedAt: mo.receivedAt });
    return mo;
  }

  #pokeAfter(ms: number): void {
    if (ms <= 0) {
      this.#runner.poke();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#runner.poke();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  async #deliver(job: Job): Promise<JobOutcome> {
    const { store, clock } = this.#options;
    const p = JSON.parse(job.payload ?? '{}') as DeliveryPayload;
    const handset = await store.handsets.get(p.to);
    if (handset.kind !== 'mobile') return { ok: false, retry: false, error: `${p.to} is a ${handset.kind} number` };
    if (!handset.online) return { ok: false, retry: true, error: `handset ${p.to} is switched off` };
    const parts = p.parts.map((b) => Buffer.from(b, 'base64'));
    const shown = reassembleParts(parts, p.udhi, p.dataCoding);
    const now = clock.now();
    await store.handsets.deliverMt({ number: p.to, direction: 'MT', peer: p.from, ...shown, receivedAt: now, ref: p.ref });
    if (p.wantReceipt) await this.#emitReceipt(p, 'delivered', now);
    return { ok: true };
  }

  async #emitReceipt(p: DeliveryPayload, state: SimReceipt['state'], at: number): Promise<void> {
    const handler = this.#receiptHandlers.get(p.origin);
    if (handler === undefined) {
      this.#options.log.warn({ origin: p.origin, networkId: p.networkId }, 'simulated network: nobody takes receipts for this origin');
      return;
    }
    await handler({ networkId: p.networkId, ref: p.ref, from: p.from, to: p.to, state, at });
  }
}
