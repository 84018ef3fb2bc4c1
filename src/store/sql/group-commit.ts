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
 * rewrites — is paid once per batch. Each write runs inside its own savepoint, so one failing
 * write (a unique violation, say) rolls back alone and only its caller sees the error. No caller
 * is answered before its batch is durable. `windowMs` (default 0) makes the first write of an
 * idle committer wait for company; the queue that forms during each sync batches well enough.
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
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    let trx;
    try {
      trx = await this.#db.startTransaction().execute();
    } catch (err) {
      for (const op of batch) op.reject(err);
      return;
    }
    try {
      for (const [i, op] of batch.entries()) {
        const name = `w${i}`;
        // Savepoint names are typed per literal; the batch's names are dynamic by nature.
        const sp = await trx.savepoint(name).execute();
        try {
          const value = await op.fn(sp);
          await sp.releaseSavepoint(name as never).execute();
          outcomes.push({ ok: true, value });
        } catch (error) {
          await sp.rollbackToSavepoint(name as never).execute();
          await sp.releaseSavepoint(name as never).execute();
          outcomes.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (err) {
      // The commit itself (or a savepoint command) failed: nothing of this batch is durable.
      await trx.rollback().execute().catch(() => undefined);
      for (const op of batch) op.reject(err);
      return;
    }
    for (const [i, op] of batch.entries()) {
      const outcome = outcomes[i];
      if (outcome?.ok === true) op.resolve(outcome.value);
      else op.reject(outcome?.error);
    }
  }
}
