import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';

export type WriteFn<T> = (trx: Transaction<Database>) => Promise<T>;

interface Pending {
  readonly fn: WriteFn<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Group commit for a single-writer engine. Writes that arrive while a batch is being committed
 * and made durable (on SQLite an off-thread sync of the log, see sqlite/wal-flusher.ts) queue up
 * and are committed together in the next transaction, so the sync — and the log pages each commit
 * rewrites — is paid once per batch. No caller is answered before its batch is durable.
 * `windowMs` (default 0) makes the first write of an idle committer wait for company; the queue
 * that forms during each sync batches well enough.
 *
 * A write that throws must not take the others down with it, yet a savepoint around every write
 * costs two statements each on a path where failures are rare. So a batch runs optimistically:
 * when write i throws, the whole transaction is rolled back, i's caller gets its error (seen
 * after the writes before it, as in a serial run), and the others go back to the head of the
 * queue to run again. A write may therefore run more than once; only its last run counts.
 */
export class GroupCommitter {
  readonly #db: Kysely<Database>;
  readonly #maxBatch: number;
  readonly #windowMs: number;
  readonly #queue: Pending[] = [];
  #draining = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Kysely<Database>, options: { maxBatch?: number; windowMs?: number } = {}) {
    this.#db = db;
    this.#maxBatch = options.maxBatch ?? 256;
    this.#windowMs = options.windowMs ?? 0;
  }

  run<T>(fn: WriteFn<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.#draining) return;
      if (this.#windowMs === 0 || this.#queue.length >= this.#maxBatch) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        void this.#drain();
      } else {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          void this.#drain();
        }, this.#windowMs);
      }
    });
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        if (batch.length === 1) await this.#runAlone(batch[0] as Pending);
        else await this.#runBatch(batch);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #runAlone(op: Pending): Promise<void> {
    try {
      op.resolve(await this.#db.transaction().execute(op.fn));
    } catch (err) {
      op.reject(err);
    }
  }

  async #runBatch(batch: Pending[]): Promise<void> {
    let trx;
    try {
      trx = await this.#db.startTransaction().execute();
    } catch (err) {
      for (const op of batch) op.reject(err);
      return;
    }
    const values: unknown[] = [];
    let failed: { readonly at: number; readonly error: unknown } | undefined;
    try {
      for (const [i, op] of batch.entries()) {
        try {
          values.push(await op.fn(trx));
        } catch (error) {
          failed = { at: i, error };
          break;
        }
      }
      if (failed === undefined) await trx.commit().execute();
    } catch (err) {
      // The commit itself failed: nothing of this batch is durable.
      await trx.rollback().execute().catch(() => undefined);
      for (const op of batch) op.reject(err);
      return;
    }
    if (failed === undefined) {
      for (const [i, op] of batch.entries()) op.resolve(values[i]);
      return;
    }
    // Some errors end the transaction on their own: then there is nothing left to roll back.
    await trx.rollback().execute().catch(() => undefined);
    const { at, error } = failed;
    batch[at]?.reject(error);
    this.#queue.unshift(...batch.filter((_, i) => i !== at));
  }
}
