import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';

export type WriteFn<T> = (trx: Transaction<Database>) => Promise<T>;

interface Pending {
  readonly fn: WriteFn<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

export interface GroupCommitOptions {
  readonly maxBatch?: number;
  readonly windowMs?: number;
  /**
   * Resolves once everything committed so far is on disk (undefined: it already is). Without it
   * a commit is taken as durable when it returns (SQLite with synchronous=NORMAL).
   */
  readonly durable?: () => Promise<void> | undefined;
}

/**
 * Group commit for a single-writer engine. Writes that arrive while a batch is being committed
 * and made durable (on SQLite an off-thread sync of the log, see sqlite/wal-flusher.ts) queue up
 * and are committed together in the next transaction, so the sync — and the log pages each commit
 * rewrites — is paid once per batch. No caller is answered before its batch is durable. Reads go
 * on while the disk syncs. `windowMs` (default 0) makes the first write of an idle committer wait
 * for company; the queue that forms during each sync batches well enough.
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
  readonly #durable: () => Promise<void> | undefined;
  readonly #queue: Pending[] = [];
  #draining = false;
  #timer: NodeJS.Timeout | undefined;
  /** The last batch's sync; settles (never rejects) once its callers are answered. */
  #syncing: Promise<void> | undefined;

  constructor(db: Kysely<Database>, options: GroupCommitOptions = {}) {
    this.#db = db;
    this.#maxBatch = options.maxBatch ?? 256;
    this.#windowMs = options.windowMs ?? 0;
    this.#durable = options.durable ?? (() => undefined);
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
        // Writes that arrive while a sync runs cannot be answered before the sync after it, so
        // they wait for it here and then share one commit instead of taking one each.
        await this.#syncing;
        await this.#runBatch(this.#queue.splice(0, this.#maxBatch));
      }
    } finally {
      this.#draining = false;
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
      this.#answerWhenDurable(batch, values);
      return;
    }
    // Some errors end the transaction on their own: then there is nothing left to roll back.
    await trx.rollback().execute().catch(() => undefined);
    const { at, error } = failed;
    batch[at]?.reject(error);
    this.#queue.unshift(...batch.filter((_, i) => i !== at));
  }

  /** Answers a committed batch once it is on disk (the next batch waits for that in #drain). */
  #answerWhenDurable(batch: readonly Pending[], values: readonly unknown[]): void {
    const answer = () => {
      for (const [i, op] of batch.entries()) op.resolve(values[i]);
    };
    const synced = this.#durable();
    if (synced === undefined) return answer();
    this.#syncing = synced.then(answer, (err: unknown) => batch.forEach((op) => op.reject(err)));
  }
}
