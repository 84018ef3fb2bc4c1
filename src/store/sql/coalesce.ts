import { StoreUnavailableError } from '../store.js';

/**
 * Calls of one kind run in batches: while a batch is in flight, new calls wait and then go
 * together in the next one. On PostgreSQL every statement is a round trip, and a round trip costs
 * both processes far more CPU than the row it carries (socket writes were ≈ 27 % of the gateway's
 * samples at accept); under load N concurrent point reads or inserts then cost one statement,
 * while on a quiet gateway a call goes at once, alone. The same pattern as SQLite's group commit
 * (group-commit.ts), for round trips instead of log syncs.
 *
 * A call never joins a batch already sent, so it sees every write committed before it was made.
 */
export interface CoalescerOptions<I, O> {
  /** Runs a batch; answers one output per input, in the same order. */
  readonly run: (inputs: readonly I[]) => Promise<readonly O[]>;
  /** Most inputs in one batch (a bound on statement size). */
  readonly maxBatch: number;
  /**
   * When a batch of several fails with an error this accepts, each input is run again alone, so
   * one bad input fails only its own call. Leave it out for errors that would fail every input
   * alike (the database is unreachable): retrying them one by one would only multiply the wait.
   */
  readonly retryAlone?: (err: unknown) => boolean;
}

interface Waiting<I, O> {
  readonly input: I;
  readonly resolve: (output: O) => void;
  readonly reject: (err: unknown) => void;
}

export class Coalescer<I, O> {
  readonly #o: CoalescerOptions<I, O>;
  readonly #queue: Waiting<I, O>[] = [];
  #inFlight = false;

  constructor(options: CoalescerOptions<I, O>) {
    this.#o = options;
  }

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (!this.#inFlight) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#inFlight = true;
    try {
      while (this.#queue.length > 0) await this.#runBatch(this.#queue.splice(0, this.#o.maxBatch));
    } finally {
      this.#inFlight = false;
    }
  }

  async #runBatch(batch: readonly Waiting<I, O>[]): Promise<void> {
    let outputs: readonly O[];
    try {
      outputs = await this.#o.run(batch.map((w) => w.input));
      if (outputs.length !== batch.length) throw new Error(`coalesced batch answered ${outputs.length} outputs for ${batch.length} inputs`);
    } catch (err) {
      if (batch.length > 1 && this.#o.retryAlone?.(err) === true) {
        await Promise.all(batch.map((w) => this.#runBatch([w])));
        return;
      }
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => w.resolve(outputs[i] as O));
  }
}

/**
 * Point reads by key, coalesced: each batch is one statement for all its keys (`= any(keys)`), and
 * each caller gets the row with its key, or undefined.
 *
 * @example const grants = lookupByKey((hashes) => grantsOf(db, hashes), (row) => row.token_hash);
 *          const row = await grants.call(hash);
 */
export function lookupByKey<R>(fetch: (keys: string[]) => Promise<readonly R[]>, keyOf: (row: R) => string): Coalescer<string, R | undefined> {
  return new Coalescer({
    maxBatch: 100,
    run: async (keys) => {
      const byKey = new Map((await fetch([...new Set(keys)])).map((row) => [keyOf(row), row]));
      return keys.map((k) => byKey.get(k));
    },
  });
}

/** As lookupByKey, for keys that may name several rows: each caller gets all rows with its key. */
export function lookupAllByKey<R>(fetch: (keys: string[]) => Promise<readonly R[]>, keyOf: (row: R) => string): Coalescer<string, R[]> {
  return new Coalescer({
    maxBatch: 100,
    run: async (keys) => {
      const byKey = new Map<string, R[]>();
      for (const row of await fetch([...new Set(keys)])) {
        const k = keyOf(row);
        const rows = byKey.get(k);
        if (rows === undefined) byKey.set(k, [row]);
        else rows.push(row);
      }
      return keys.map((k) => byKey.get(k) ?? []);
    },
  });
}

/**
 * For `retryAlone`: an error that one input may have caused (PostgreSQL refused a row), not one
 * that fails every input alike (the database cannot be reached).
 */
export function rowRefused(err: unknown): boolean {
  return !(err instanceof StoreUnavailableError);
}

/**
 * Writes whose callers need no answer but "stored", coalesced: `write` stores a whole batch; a
 * batch one row of which is refused is run again one input at a time.
 */
export function coalescedWrites<I>(write: (inputs: readonly I[]) => Promise<void>): Coalescer<I, undefined> {
  return new Coalescer({
    maxBatch: 100,
    run: async (inputs) => {
      await write(inputs);
      return inputs.map(() => undefined);
    },
    retryAlone: rowRefused,
  });
}
