/**
 * From part receipts to one final state per recipient.
 *
 * Matching: a receipt names the SMSC's message id of one part, in whatever form (ids.ts); the
 * parts and their ids are in the store (smpp_parts), written before the submit is reported
 * accepted. A receipt can still arrive first. One sent right behind its submit_sm_resp usually
 * comes while that response's part is being written: it waits for the write (held in memory, no
 * store). Otherwise — the SMSC sent it before the response, or on the receiver bind of a pair —
 * a receipt that matches nothing is stored
 * (smpp_held_receipts) and retried: at once when a part with one of its ids is recorded (an
 * in-memory index of held ids makes that a lookup, not a scan), otherwise on a back-off schedule
 * starting at `retryMs`; after `holdMs` it is marked unmatched, counted and logged, and kept for
 * the operator. Every `ADOPT_EVERY` retry periods the tracker also reads the held receipts in the
 * store it does not have: with several gateways on one database, a receipt can be held by the
 * instance whose bind it came in on while another records its part, and an instance that stops
 * leaves what it held to the others. Two instances trying the same receipt is harmless: its
 * report and marks are idempotent.
 *
 * Combining: a recipient is delivered when every part is, impossible as soon as one part fails
 * for good, and reported to the core exactly once (per-recipient lock in this process, and a
 * guarded `finalise` in the store). The report comes first and the mark second, so a crash in
 * between repeats the report (the core ignores repeats) rather than losing it; a single-part
 * message's receipt writes both at once and is reported again on every repeat instead. When
 * some parts were delivered and the others never get a receipt (carriers that report only the
 * last part, or a part whose response was lost and that was sent again), the recipient is
 * settled as delivered after `graceMs` without news. A recipient none of whose parts' receipts
 * settled it by the end of `openKeepMs` is settled as uncertain (DeliveryUncertain), the same way
 * (see #settleOverdue).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { HeldReceipt, SmppFinalState, SmppMessageFinalState, SmppPartMatch, SmppPartRecord, SmppPartState, SmppRepo } from '../../store/repos/smpp.js';
import type { Receipt } from '../connector.js';
import type { ParsedReceipt } from './dlr.js';
import { IdMatcher, type IdKeys, normaliseId } from './ids.js';
import { sweepInBatches } from '../../dispatch/sweeper.js';

export interface TrackerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReceiptTrackerOptions {
  readonly repo: SmppRepo;
  readonly clock: Clock;
  readonly log: TrackerLog;
  /** Hands a recipient's final state to the core; persisted when it resolves. */
  readonly emit: (receipt: Receipt) => Promise<void>;
  readonly holdMs: number;
  readonly retryMs: number;
  readonly graceMs: number;
  /**
   * How long part ids are kept after a recipient went final (`finalKeepMs`: a late repeat of a
   * receipt still finds it), and how long one is waited for after the submit (`openKeepMs`).
   */
  readonly finalKeepMs: number;
  readonly openKeepMs: number;
  /**
   * How long a held receipt matched only by an id form this SMSC does not use waits for its own
   * part (see IdMatcher.choose): the SMSC's response timeout, after which that part is stored or
   * will never be.
   */
  readonly ownPartWaitMs: number;
}

/** How often old mappings are deleted. */
const PRUNE_EVERY_MS = 60_000;
/** Overdue recipients read (and settled at once) per batch. */
const OVERDUE_BATCH = 100;

export interface ReceiptStats {
  /** Receipts received (each part's, intermediate ones included). */
  readonly received: number;
  readonly matched: number;
  /** Matched only after being held. */
  readonly matchedLate: number;
  /** Final states handed to the core. */
  readonly finals: number;
  readonly settledByGrace: number;
  /** Settled as uncertain: no receipt settled them within `openKeepMs`. */
  readonly settledUncertain: number;
}

const FINAL_FAILURES: readonly SmppPartState[] = ['undeliverable', 'expired', 'rejected'];

function isFinal(state: SmppPartState): state is SmppFinalState {
  return state === 'delivered' || FINAL_FAILURES.includes(state);
}
/** Longest pause between two tries of a held receipt. */
const HELD_RETRY_CAP_MS = 30_000;
/** Held receipts kept in memory (and so retried) at once; the others are read in by later sweeps. */
const HELD_IN_MEMORY = 20_000;
/** Retry periods between two reads of the held receipts this tracker does not have. */
const ADOPT_EVERY = 10;
/** Held receipts read per such read: a page, the next one at the next read. */
const ADOPT_PAGE = 500;

interface Held {
  readonly receipt: HeldReceipt;
  attempts: number;
  nextAt: number;
}

/**
 * The combined state of a message from its parts, or null while it is open.
 *
 * @example combine(3, [delivered, delivered])              // null: part 3 not accepted yet
 * @example combine(3, [delivered, undeliverable])          // { state: 'undeliverable', … }
 * @example combine(2, [delivered, delivered])              // { state: 'delivered' }
 */
export function combine(total: number, parts: readonly Pick<SmppPartRecord, 'part' | 'state' | 'errorCode'>[]): { state: SmppFinalState; errorCode: string | null } | null {
  const failed = parts.find((p) => FINAL_FAILURES.includes(p.state));
  if (failed) return { state: failed.state as SmppFinalState, errorCode: failed.errorCode };
  const delivered = new Set(parts.filter((p) => p.state === 'delivered').map((p) => p.part));
  for (let part = 1; part <= total; part++) if (!delivered.has(part)) return null;
  return { state: 'delivered', errorCode: null };
}

/**
 * Orders parts that share the receipt's id (the SMSC handed it out again: its counter restarted or
 * wrapped while the older part's record was still kept): an open message before a final one (a
 * final message has had its receipts; a receipt matched to it changes nothing), a part still
 * waiting for its receipt before one that has it, then the most recently submitted.
 */
function likelierOwner(a: SmppPartMatch, b: SmppPartMatch): number {
  return Number(a.messageFinal) - Number(b.messageFinal) || Number(isFinal(a.state)) - Number(isFinal(b.state)) || b.submittedAt - a.submittedAt;
}

export class ReceiptTracker {
  readonly #o: ReceiptTrackerOptions;
  readonly #matcher = new IdMatcher();
  readonly #locks = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  #running = false;
  readonly #held = new Map<string, Held>();
  /** Normalised receipt id → held receipts naming it. */
  readonly #heldIndex = new Map<string, Set<string>>();
  /** Held receipts to try again soon (a part with one of their ids was recorded). */
  readonly #due = new Set<string>();
  /** Parts being written, by each form of their id → the write (see partRecording). */
  readonly #recording = new Map<string, Promise<unknown>>();
  /** Part writes finished so far: a receipt's lookup that missed may have raced one of them. */
  #recorded = 0;
  #received = 0;
  #matched = 0;
  #matchedLate = 0;
  #finals = 0;
  #settled = 0;
  #uncertain = 0;
  #prunedAt = 0;
  #adoptedAt = 0;
  /** Where the next read of held receipts goes on from (undefined: from the oldest). */
  #adoptAfter: HeldReceipt | undefined;

  constructor(options: ReceiptTrackerOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    this.#running = true;
    for (const h of await this.#o.repo.held(HELD_IN_MEMORY)) this.#remember(h);
    this.#adoptedAt = this.#o.clock.now();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#soon) clearTimeout(this.#soon);
    await this.#sweeping;
  }

  stats(): ReceiptStats {
    return {
      received: this.#received,
      matched: this.#matched,
      matchedLate: this.#matchedLate,
      finals: this.#finals,
      settledByGrace: this.#settled,
      settledUncertain: this.#uncertain,
    };
  }

  /** A receipt from the SMSC; resolves once it is applied or held (the deliver_sm may then be acknowledged). */
  async receive(receipt: ParsedReceipt, at: number): Promise<void> {
    this.#received++;
    const recordedBefore = this.#recorded;
    const part = (await this.#match(receipt.ids, false)) ?? (await this.#matchOnceRecorded(receipt.ids, recordedBefore));
    if (part) {
      this.#matched++;
      await this.#apply(part, receipt.state, receipt.errorCode ?? null, at);
      return;
    }
    const held: HeldReceipt = {
      id: randomUUID(),
      ids: receipt.ids,
      state: receipt.final ? receipt.state : 'enroute',
      stat: receipt.stat,
      final: receipt.final,
      errorCode: receipt.errorCode ?? null,
      receiptAt: at,
      heldAt: this.#o.clock.now(),
      attempts: 0,
    };
    await this.#o.repo.hold(held);
    if (this.#held.size < HELD_IN_MEMORY) this.#remember(held);
  }

  /**
   * A part was accepted and `written` stores it. An SMSC may send the receipt right behind the
   * submit_sm_resp, before that write is done: such a receipt waits for it instead of being held
   * (which is a durable write, a retry and a delete more). Once it is stored, a receipt held
   * under one of its ids is tried again at once.
   */
  partRecording(keys: IdKeys, written: Promise<unknown>): void {
    const forms = [keys.key, keys.dec, keys.hex].filter((k): k is string => k !== null);
    for (const k of forms) this.#recording.set(k, written);
    const done = () => {
      this.#recorded++;
      for (const k of forms) if (this.#recording.get(k) === written) this.#recording.delete(k);
    };
    written.then(() => {
      done();
      this.#partRecorded(forms);
    }, done);
  }

  /**
   * After a miss: the receipt matched again once the parts it names being written are stored, or
   * at once when some write finished during the lookup that missed (it may have been this one's);
   * null when neither.
   */
  async #matchOnceRecorded(ids: readonly string[], recordedBefore: number): Promise<SmppPartMatch | null> {
    // The response read with this receipt may not have started its part's write yet: its
    // callbacks are queued with this one's. After them, the write is registered if there is one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const writes = ids.flatMap((id) => this.#recording.get(normaliseId(id)) ?? []);
    if (writes.length > 0) await Promise.allSettled(writes);
    else if (this.#recorded === recordedBefore) return null;
    return this.#match(ids, false);
  }

  /** A part's id (in these forms) was just stored: a held receipt naming it can be matched now. */
  #partRecorded(forms: readonly string[]): void {
    for (const k of forms) {
      for (const id of this.#heldIndex.get(k) ?? []) this.#due.add(id);
    }
    if (this.#due.size === 0 || this.#soon || !this.#running) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      void this.#sweep();
    }, 5);
    this.#soon.unref();
  }

  #remember(receipt: HeldReceipt): void {
    this.#held.set(receipt.id, { receipt, attempts: receipt.attempts, nextAt: receipt.heldAt + this.#o.retryMs });
    for (const id of receipt.ids) {
      const k = normaliseId(id);
      const set = this.#heldIndex.get(k) ?? new Set<string>();
      set.add(receipt.id);
      this.#heldIndex.set(k, set);
    }
  }

  #forget(receipt: HeldReceipt): void {
    this.#held.delete(receipt.id);
    this.#due.delete(receipt.id);
    for (const id of receipt.ids) {
      const k = normaliseId(id);
      const set = this.#heldIndex.get(k);
      set?.delete(receipt.id);
      if (set?.size === 0) this.#heldIndex.delete(k);
    }
  }

  /** One pass now (tests and the admin route use it to avoid waiting for the timer). */
  sweep(): Promise<void> {
    return this.#sweep();
  }

  /** `anyRelation`: see IdMatcher.choose. */
  async #match(ids: readonly string[], anyRelation: boolean): Promise<SmppPartMatch | null> {
    const keys = ids.map(normaliseId);
    const { repo } = this.#o;
    // While this SMSC writes receipt ids as it wrote the submits' (the usual case), an exact
    // match wins any ambiguity anyway (see IdMatcher): look there first, one index instead of three.
    const exact = this.#matcher.preferred() === 'same' ? await repo.findExactParts(keys) : [];
    const candidates = exact.length > 0 ? exact : await repo.findParts(keys);
    return this.#matcher.choose(
      ids,
      candidates.map((p) => ({ item: p, keys: { key: p.idKey, dec: p.idDec, hex: p.idHex } })),
      (a, b) => a.recipientId === b.recipientId && a.part === b.part,
      likelierOwner,
      anyRelation,
    );
  }

  async #apply(part: SmppPartMatch, state: SmppPartState, errorCode: string | null, at: number): Promise<void> {
    await this.#locked(part.recipientId, async () => {
      const { repo } = this.#o;
      if (part.total === 1 && isFinal(state)) {
        // The receipt of a single-part message settles it: no need to read the parts back. The
        // report and the mark are written at once, so the deliver_sm waits for one durable write
        // instead of two in turn (on PostgreSQL a receipt's answer paces the SMSC's window).
        // Hence a repeat is reported again even when the mark says final — the core ignores
        // repeats — so that a crash after the mark but before the report cannot lose it: the
        // unanswered deliver_sm comes again and reports it then.
        const report = this.#report(part.recipientId, part.smscId, state, errorCode, at);
        if (part.messageFinal) return report;
        const [, settled] = await Promise.all([report, repo.settle(part.recipientId, part.part, state, errorCode, at)]);
        if (settled) this.#finals++;
        return;
      }
      await repo.applyReceipt(part.recipientId, part.part, state, errorCode, at);
      const current = await repo.message(part.recipientId);
      if (!current || current.message.finalState !== null) return;
      const result = combine(current.message.total, current.parts);
      if (result) await this.#finish(current.message.recipientId, current.parts, result.state, result.errorCode, at);
    });
  }

  /** Reports, then marks; true when this call made the message final (no one else had). */
  async #finish(recipientId: string, parts: readonly SmppPartRecord[], state: SmppMessageFinalState, errorCode: string | null, at: number): Promise<boolean> {
    await this.#report(recipientId, parts.map((p) => p.smscId).join(','), state, errorCode, at);
    const finalised = await this.#o.repo.finalise(recipientId, state, at);
    if (finalised) this.#finals++;
    return finalised;
  }

  /** Hands the final state to the core; resolves once the core has stored it. */
  #report(recipientId: string, networkId: string, state: SmppMessageFinalState, errorCode: string | null, at: number): Promise<void> {
    return this.#o.emit({ networkId, recipientId, state, ...(errorCode === null ? {} : { errorCode }), at });
  }

  async #sweep(): Promise<void> {
    if (this.#sweeping) return this.#sweeping;
    this.#sweeping = (async () => {
      try {
        await this.#adopt();
        await this.#retryHeld();
        await this.#settleStalled();
        await this.#settleOverdue();
        await this.#prune();
      } catch (err) {
        this.#o.log.error({ err }, 'smpp receipts: sweep failed');
      } finally {
        this.#sweeping = undefined;
      }
    })();
    return this.#sweeping;
  }

  /** Reads in a page of the held receipts in the store that this tracker does not have (see above). */
  async #adopt(): Promise<void> {
    const now = this.#o.clock.now();
    if (now - this.#adoptedAt < ADOPT_EVERY * this.#o.retryMs) return;
    this.#adoptedAt = now;
    const page = await this.#o.repo.held(ADOPT_PAGE, this.#adoptAfter);
    this.#adoptAfter = page.length < ADOPT_PAGE ? undefined : page.at(-1);
    for (const h of page) if (!this.#held.has(h.id) && this.#held.size < HELD_IN_MEMORY) this.#remember(h);
  }

  /** Held receipts that are due (their back-off is over, or a part naming them was recorded). */
  async #retryHeld(): Promise<void> {
    const { repo, clock, log, holdMs, retryMs } = this.#o;
    const now = clock.now();
    for (const h of [...this.#held.values()]) {
      const r = h.receipt;
      if (!this.#due.has(r.id) && h.nextAt > now) continue;
      this.#due.delete(r.id);
      const part = await this.#match(r.ids, now - r.heldAt >= this.#o.ownPartWaitMs);
      if (part) {
        this.#matched++;
        this.#matchedLate++;
        await this.#apply(part, r.state, r.errorCode, r.receiptAt);
        await repo.release(r.id);
        this.#forget(r);
      } else if (now - r.heldAt >= holdMs) {
        const marked = await repo.markUnmatched(r.id, now);
        this.#forget(r);
        if (marked) log.warn({ ids: r.ids, stat: r.stat, heldSince: r.heldAt }, 'smpp receipt matches no submitted message: given up (kept, counted as unmatched)');
      } else {
        h.attempts++;
        h.nextAt = now + Math.min(HELD_RETRY_CAP_MS, retryMs * 2 ** Math.min(h.attempts, 20));
      }
    }
  }

  async #prune(): Promise<void> {
    const { repo, clock, finalKeepMs, openKeepMs } = this.#o;
    const now = clock.now();
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;
    const { more } = await sweepInBatches((n) => repo.prune(now - finalKeepMs, now - openKeepMs, n));
    // A backlog past the time budget goes on at the next sweep, not a minute later.
    this.#prunedAt = more ? 0 : now;
  }

  /** Parts some of which were delivered while the rest never reported: settle after the grace period. */
  async #settleStalled(): Promise<void> {
    const { repo, clock, log, graceMs } = this.#o;
    for (const m of await repo.stalled(clock.now() - graceMs, 100)) {
      await this.#locked(m.recipientId, async () => {
        const current = await repo.message(m.recipientId);
        if (!current || current.message.finalState !== null) return;
        const { parts } = current;
        const complete = parts.length === current.message.total;
        const anyDelivered = parts.some((p) => p.state === 'delivered');
        const anyFailed = parts.some((p) => FINAL_FAILURES.includes(p.state));
        if (!complete || !anyDelivered || anyFailed) return;
        log.info({ recipientId: m.recipientId, parts: parts.map((p) => p.state) }, 'smpp: parts without receipt after the grace period, settled as delivered');
        this.#settled++;
        await this.#finish(current.message.recipientId, parts, 'delivered', null, clock.now());
      });
    }
  }

  /**
   * Recipients whose receipts did not settle them within `openKeepMs` of the submit: settled as
   * uncertain rather than left DeliveredToNetwork for ever (never notified, never swept). Once:
   * under the recipient's lock here; across instances, the core finalizes a recipient once and
   * `finalise` marks it once, so only one instance notifies, counts and logs it. Its part ids are
   * then kept `finalKeepMs` like any final's: a late receipt matches and changes nothing.
   * Checked on every sweep, in batches under the same time budget as the prune.
   */
  async #settleOverdue(): Promise<void> {
    const { repo, clock, log, openKeepMs } = this.#o;
    const settle = (recipientId: string) =>
      this.#locked(recipientId, async () => {
        const current = await repo.message(recipientId);
        if (!current || current.message.finalState !== null) return;
        const { message, parts } = current;
        if (!(await this.#finish(recipientId, parts, 'uncertain', null, clock.now()))) return;
        this.#uncertain++;
        log.info(
          { recipientId, messageId: message.messageId, parts: parts.map((p) => p.state), openedAt: message.createdAt },
          'smpp: no receipt within twice the network retry window, settled as DeliveryUncertain',
        );
      });
    await sweepInBatches(async (n) => {
      const overdue = await repo.overdue(clock.now() - openKeepMs, n);
      await Promise.all(overdue.map((m) => settle(m.recipientId)));
      return overdue.length;
    }, OVERDUE_BATCH);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      void this.#sweep().then(() => this.#schedule());
    }, this.#o.retryMs);
    this.#timer.unref();
  }

  async #locked(key: string, fn: () => Promise<void>): Promise<void> {
    const before = this.#locks.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => {});
    this.#locks.set(key, tail);
    try {
      await run;
    } finally {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }
}
