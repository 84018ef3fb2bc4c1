import { closeSync, fdatasync, openSync } from 'node:fs';
import { promisify } from 'node:util';

const fdatasyncAsync = promisify(fdatasync);

/** Syncs a file's data to disk; injectable so the coalescing can be tested step by step. */
export type SyncFile = (fd: number) => Promise<void>;

/**
 * Makes committed SQLite transactions durable without blocking the event loop. The connection runs
 * WAL with `synchronous=NORMAL` (commits write the log but do not sync it; checkpoints still sync,
 * so the file is never corrupted) and every caller that committed awaits `flush()`, an
 * `fdatasync` of the log on libuv's thread pool, before it is answered. What a caller is told is
 * durable is therefore exactly as durable as with `synchronous=FULL`, but the fsync no longer
 * freezes the gateway: requests keep being parsed and read while the disk works, and every commit
 * made meanwhile shares the next sync.
 */
export class WalFlusher {
  readonly #fd: number;
  readonly #sync: SyncFile;
  #dirty = false;
  /** The sync under way; it covers every commit made before it started. */
  #inFlight: Promise<void> | undefined;
  /** The sync queued behind it, for commits made after it started. */
  #next: Promise<void> | undefined;

  constructor(walFile: string, sync: SyncFile = fdatasyncAsync) {
    // 'a' creates the log if SQLite has not yet: it is the same file SQLite then opens.
    this.#fd = openSync(walFile, 'a');
    this.#sync = sync;
  }

  /** Records that the connection wrote something that a later `flush()` must cover. */
  markDirty(): void {
    this.#dirty = true;
  }

  /** Resolves once everything committed so far is on disk; a no-op when nothing was written. */
  flushIfDirty(): Promise<void> | undefined {
    if (!this.#dirty) return undefined;
    this.#dirty = false;
    return this.flush();
  }

  /**
   * Resolves once everything committed so far is on disk, starting a sync only when no sync
   * under way or queued covers it. Safe to call after another caller (the connection's release)
   * already took the dirty mark for the same commit: every write marks before it runs, so a sync
   * started after the mark was taken started after the write.
   */
  whenDurable(): Promise<void> | undefined {
    if (this.#dirty) return this.flushIfDirty();
    return this.#next ?? this.#inFlight;
  }

  flush(): Promise<void> {
    if (this.#inFlight === undefined) return this.#start();
    // The sync under way may have started before our commit: wait for the one after it.
    this.#next ??= this.#inFlight.then(
      () => this.#start(),
      () => this.#start(),
    );
    return this.#next;
  }

  #start(): Promise<void> {
    this.#next = undefined;
    const sync = this.#sync(this.#fd).finally(() => {
      if (this.#inFlight === sync) this.#inFlight = undefined;
    });
    this.#inFlight = sync;
    return sync;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
