import type { Statement } from 'better-sqlite3';
import type { SqliteStatement } from 'kysely';
import { systemClock, type Clock } from '../../clock.js';
import { StoreUnavailableError, type StoreLog } from '../store.js';

function isDiskFull(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'SQLITE_FULL';
}

/**
 * How long writes must go on without SQLITE_FULL before the disk counts as free again: on a full
 * disk some writes still fit (a row rewritten in place, a page freed by a delete), so one success
 * says nothing, and taking it for recovery flipped the log many times a second.
 */
const QUIET_MS = 10_000;

/**
 * A full disk under the SQLite store: SQLite refuses every write with SQLITE_FULL until space is
 * freed, and reads go on. Such a write fails as StoreUnavailableError — 503 SVC1000 with
 * `Retry-After`, as for a PostgreSQL outage, where it was a 500 per request with its stack in the
 * log — the state is logged once when it begins and once when writes succeed again (a success,
 * and no SQLITE_FULL for QUIET_MS), and the health check reports the store down meanwhile (its
 * probe is a read, which still works).
 */
export class DiskFullWatch {
  readonly #file: string;
  readonly #log: StoreLog | undefined;
  readonly #clock: Clock;
  #full = false;
  #lastFullAt = 0;
  #wroteSinceFull = false;

  constructor(file: string, log?: StoreLog, clock: Clock = systemClock) {
    this.#file = file;
    this.#log = log;
    this.#clock = clock;
  }

  /** A writing statement that reports SQLITE_FULL as above and successes as the way out of it. */
  guard(statement: Statement): SqliteStatement {
    return {
      reader: statement.reader,
      all: (parameters) => statement.all(parameters),
      iterate: (parameters) => statement.iterate(parameters),
      run: (parameters) => {
        try {
          const result = statement.run(parameters);
          if (this.#full) {
            this.#wroteSinceFull = true;
            this.#settle();
          }
          return result;
        } catch (err) {
          throw this.#failed(err);
        }
      },
    };
  }

  /** Throws while the disk counts as full (see QUIET_MS). */
  check(): void {
    this.#settle();
    if (this.#full) throw new StoreUnavailableError(`disk full: ${this.#file} cannot be written`);
  }

  #failed(err: unknown): unknown {
    if (!isDiskFull(err)) return err;
    if (!this.#full) this.#log?.warn({ file: this.#file }, 'disk full: the SQLite store refuses writes (503) until space is freed');
    this.#full = true;
    this.#lastFullAt = this.#clock.now();
    this.#wroteSinceFull = false;
    return new StoreUnavailableError(`disk full: ${this.#file} cannot be written`, { cause: err });
  }

  #settle(): void {
    if (!this.#full || !this.#wroteSinceFull || this.#clock.now() - this.#lastFullAt < QUIET_MS) return;
    this.#full = false;
    this.#log?.warn({ file: this.#file }, 'the SQLite store writes again: space was freed');
  }
}
