/**
 * deliver_sm the simulator SMSC owes its ESMEs — receipts and MO — delivered at least once: sent at
 * once when a receiver is bound, otherwise kept as a job (`sim-smsc-deliver`) and retried until a
 * receiver of the right system_id takes it with ESME_ROK, as an SMSC stores receipts for an ESME
 * that is not bound; a receiver binding makes its waiting jobs due at once.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.js';
import { JobRunner, runnerErrors, type JobOutcome } from '../../dispatch/runner.js';
import { backoffDelay } from '../../dispatch/backoff.js';
import type { Job } from '../../store/repos/jobs.js';
import type { Store } from '../../store/store.js';
import { type Address, deliverSmPdu, STATUS, statusName } from '../smpp/pdu.js';
import type { SmppSession } from '../smpp/session.js';

export const DELIVER_KIND = 'sim-smsc-deliver';
/** Job ref of MO, which any receiver may take. */
const ANY_RECEIVER = '*';

/** One deliver_sm as the outbox keeps it. */
export interface OutboxItem {
  /** Receipts go to receivers bound with this system_id; MO (null) to any receiver. */
  readonly systemId: string | null;
  readonly source: Address;
  readonly destination: Address;
  readonly esmClass: number;
  readonly dataCoding: number;
  readonly shortMessage: Buffer;
  readonly receiptedMessageId?: string;
  readonly messageState?: number;
  readonly networkErrorCode?: Buffer;
}

interface StoredItem extends Omit<OutboxItem, 'shortMessage' | 'networkErrorCode'> {
  readonly shortMessage: string;
  readonly networkErrorCode?: string;
}

export interface OutboxOptions {
  readonly store: Pick<Store, 'jobs'>;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  /** Bound sessions that can receive for `systemId` (any, when null), best first. */
  readonly receivers: (systemId: string | null) => SmppSession[];
  /** Give up on an item after this long (nobody ever bound to take it). */
  readonly keepMs: number;
  /** How long a claimed item stays with this process; a crashed process's items return after it. */
  readonly leaseMs: number;
}

export class Outbox {
  readonly #o: OutboxOptions;
  readonly #runner: JobRunner;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Items handed to a receiver and acknowledged. */
  delivered = 0;

  constructor(options: OutboxOptions) {
    this.#o = options;
    this.#runner = new JobRunner({
      jobs: options.store.jobs,
      clock: options.clock,
      workerId: `sim-smsc-${process.pid}-${randomBytes(3).toString('hex')}`,
      handlers: [{ kind: DELIVER_KIND, run: (job) => this.#run(job), exhausted: async () => 'drop' }],
      schedule: (attempt, now) => now + backoffDelay(attempt, { baseMs: 50, capMs: 2000 }),
      concurrency: 16,
      leaseMs: options.leaseMs,
      idlePollMs: 100,
    });
    this.#runner.on('error', runnerErrors(options.log, 'simulator smsc: outbox failed'));
  }

  start(): void {
    this.#runner.start();
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.#runner.stop();
  }

  /** A receiver bound with `systemId`: what waits for it (and MO for anyone) is due now, not at its next retry. */
  async wake(systemId: string): Promise<void> {
    await this.#o.store.jobs.wake(DELIVER_KIND, [systemId, ANY_RECEIVER], this.#o.clock.now());
    this.#runner.poke();
  }

  /**
   * Delivers `item` (after `delayMs`) at least once. Resolves once it was acknowledged by an ESME
   * or stored for later — either way the caller may forget it.
   */
  async send(item: OutboxItem, delayMs = 0): Promise<void> {
    if (delayMs === 0 && (await this.#tryNow(item)) === 'ok') return;
    const now = this.#o.clock.now();
    const stored: StoredItem = {
      ...item,
      shortMessage: item.shortMessage.toString('base64'),
      networkErrorCode: item.networkErrorCode?.toString('base64'),
    };
    await this.#o.store.jobs.enqueue([
      { kind: DELIVER_KIND, ref: item.systemId ?? ANY_RECEIVER, payload: JSON.stringify(stored), runAt: now + delayMs, deadlineAt: now + this.#o.keepMs },
    ]);
    if (delayMs > 0) {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        this.#runner.poke();
      }, delayMs);
      t.unref();
      this.#timers.add(t);
    }
  }

  async #run(job: Job): Promise<JobOutcome> {
    const s = JSON.parse(job.payload ?? '{}') as StoredItem;
    const item: OutboxItem = {
      ...s,
      shortMessage: Buffer.from(s.shortMessage, 'base64'),
      networkErrorCode: s.networkErrorCode === undefined ? undefined : Buffer.from(s.networkErrorCode, 'base64'),
    };
    const result = await this.#tryNow(item);
    return result === 'ok' ? { ok: true } : { ok: false, retry: true, error: result };
  }

  /**
   * 'ok' when an ESME acknowledged it, else why not. A receiver whose window is full is waited
   * for, as an SMSC queues for a busy bind: failing instead would send the item into back-off
   * and receipts would trail the traffic by seconds.
   */
  async #tryNow(item: OutboxItem): Promise<string> {
    const receivers = this.#o.receivers(item.systemId);
    let session = receivers.find((s) => s.hasRoom()) ?? receivers[0];
    if (!session) return `no receiver bound${item.systemId === null ? '' : ` for ${item.systemId}`}`;
    try {
      // Several items may wake for one free slot: whoever finds it taken waits again.
      while (!session.hasRoom()) {
        await session.waitForRoom();
        session = this.#o.receivers(item.systemId).find((s) => s.hasRoom()) ?? session;
      }
      const response = await session.request(
        deliverSmPdu({
          source: item.source,
          destination: item.destination,
          esmClass: item.esmClass,
          dataCoding: item.dataCoding,
          shortMessage: item.shortMessage,
          receiptedMessageId: item.receiptedMessageId,
          messageState: item.messageState,
          networkErrorCode: item.networkErrorCode,
        }),
      );
      if (response.command_status !== STATUS.ROK) return `ESME answered ${statusName(response.command_status)}`;
      this.delivered++;
      return 'ok';
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
}
