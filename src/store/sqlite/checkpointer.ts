import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the SQLite log on a worker thread, through a second connection of its own. SQLite
 * otherwise checkpoints inside whichever commit crosses `wal_autocheckpoint`, on the event loop:
 * copying the pages and its two fsyncs (log, then database) stalled every request behind it and
 * cost about a sixth of the gateway's CPU on the send path. The worker's connection keeps SQLite's
 * default `synchronous=FULL`, so a checkpoint syncs the log before copying and the database after:
 * the log is only ever restarted over pages that are safely in the database file.
 */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #writes = false;
  #busy = false;
  #closed = false;
  /** Set by a failed checkpoint; SQLite then checkpoints on its own (see `fallBack`). */
  lastError: string | undefined;

  /**
   * @param file the database file
   * @param fallBack called once if the worker fails, to let the main connection checkpoint again
   */
  constructor(file: string, fallBack: () => void, intervalMs = 1000) {
    this.#intervalMs = intervalMs;
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    // Inline CommonJS: a worker file would need its own build path under tsx and tsc alike.
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, sqliteModule } });
    this.#worker.unref();
    this.#worker.on('message', (result: { error?: string }) => {
      this.#busy = false;
      if (result.error !== undefined) this.#fail(result.error, fallBack);
    });
    this.#worker.on('error', (err) => this.#fail(err.message, fallBack));
  }

  /** Something was committed: a checkpoint is due within the interval. */
  noteWrite(): void {
    this.#writes = true;
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tick();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#closed) return;
    if (this.#busy) {
      // Still copying the last round: look again later rather than queue checkpoints.
      this.noteWrite();
      return;
    }
    if (!this.#writes) return;
    this.#writes = false;
    this.#busy = true;
    this.#worker.postMessage('checkpoint');
  }

  #fail(error: string, fallBack: () => void): void {
    if (this.lastError === undefined) fallBack();
    this.lastError = error;
    this.#closed = true;
  }

  /** Lets a checkpoint under way finish, closes the worker's connection and ends the worker. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    // Unreferenced so it never keeps a process alive; while it is being waited for, it must.
    this.#worker.ref();
    this.#worker.postMessage('close');
    await exited;
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
parentPort.on('message', (command) => {
  if (command === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({});
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;
