import type { Statement } from 'better-sqlite3';
import type { SqliteStatement } from 'kysely';
import { StoreUnavailableError, type StoreLog } from '../store.js';

function isDiskFull(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'SQLITE_FULL';
}

/**
 * A full disk under the SQLite store: SQLite refuses every write with SQLITE_FULL until space is
 * freed, and reads go on. Such a write fails as StoreUnavailableError — 503 SVC1000 with
 * `Retry-After`, as for a PostgreSQL outage, where it was a 500 per request with its stack in the
 * log — the state is logged once when it begins and once when a write succeeds again, and the
 * health check reports the store down meanwhile (its probe is a read, which still works).
 */
export class DiskFullWatch {
  readonly #file: string;
  readonly #log: StoreLog | undefined;
  #full = false;

  constructor(file: string, log?: StoreLog) {
    this.#file = file;
    this.#log = log;
  }

  /** A writing statement that reports SQLITE_FULL as above and a success as the end of it. */
  guard(statement: Statement): SqliteStatement {
    return {
      reader: statement.reader,
      all: (parameters) => statement.all(parameters),
      iterate: (parameters) => statement.iterate(parameters),
      run: (parameters) => {
        try {
          const result = statement.run(parameters);
          if (this.#full) this.#recovered();
          return result;
        } catch (err) {
          throw this.#failed(err);
        }
      },
    };
  }

  /** Throws while the last write found the disk full. */
  check(): void {
    if (this.#full) throw new StoreUnavailableError(`disk full: ${this.#file} cannot be written`);
  }

  #failed(err: unknown): unknown {
    if (!isDiskFull(err)) return err;
    if (!this.#full) this.#log?.warn({ file: this.#file }, 'disk full: the SQLite store refuses writes (503) until space is freed');
    this.#full = true;
    return new StoreUnavailableError(`disk full: ${this.#file} cannot be written`, { cause: err });
  }

  #recovered(): void {
    this.#full = false;
    this.#log?.warn({ file: this.#file }, 'the SQLite store writes again: space was freed');
  }
}
