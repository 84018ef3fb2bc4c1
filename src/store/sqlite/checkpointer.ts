import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Runs `fn` while the main connection runs nothing else (it holds the connection meanwhile). */
export type HoldConnection = <T>(fn: () => Promise<T>) => Promise<T>;

export interface CheckpointerOptions {
  /** Called once if the worker fails, to let the main connection checkpoint again. */
  readonly fallBack: () => void;
  /** Holds the main connection for the catch-up checkpoint (see below). */
  readonly hold: HoldConnection;
  readonly intervalMs?: number;
  /** Log length, in frames, beyond which a round ends with a catch-up checkpoint. */
  readonly restartFrames?: number;
}

/** What a checkpoint reports: the frames in the log (copied into the database or not). */
interface Round {
  readonly log: number;
}

/**
 * Checkpoints the SQLite log on a worker thread, through a second connection of its own. SQLite
 * otherwise checkpoints inside whichever commit crosses `wal_autocheckpoint`, on the event loop:
 * copying the pages and its two fsyncs (log, then database) stalled every request behind it and
 * cost about a sixth of the gateway's CPU on the send path. The worker's connection keeps SQLite's
 * default `synchronous=FULL`, so a checkpoint syncs the log before copying and the database after:
 * the log is only ever restarted over pages that are safely in the database file.
 *
 * SQLite starts the log over only when a commit finds every frame of it checkpointed. Under
 * steady writes a checkpoint running beside them never gets there (each commit appends while it
 * copies), and the log grew without bound: 400 MB in a 16 s benchmark, every page read searching
 * an ever larger log index. So when a round leaves the log longer than `restartFrames`, a second
 * checkpoint runs while the main connection is held (its queries wait, the event loop does not):
 * it copies only what was appended during the first, and the next commit starts the log over.
 */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #intervalMs: number;
  readonly #restartFrames: number;
  readonly #hold: HoldConnection;
  readonly #fallBack: () => void;
  #timer: NodeJS.Timeout | undefined;
  #writes = false;
  #busy = false;
  #closed = false;
  #reply: { resolve: (round: Round) => void; reject: (err: Error) => void } | undefined;
  /** Set by a failed checkpoint; SQLite then checkpoints on its own (see `fallBack`). */
  lastError: string | undefined;
  /** Catch-up checkpoints run so far (the log was started over after each). */
  restarts = 0;

  constructor(file: string, options: CheckpointerOptions) {
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#restartFrames = options.restartFrames ?? 1000;
    this.#hold = options.hold;
    this.#fallBack = options.fallBack;
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    // Inline CommonJS: a worker file would need its own build path under tsx and tsc alike.
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, sqliteModule } });
    this.#worker.unref();
    this.#worker.on('message', (result: Round & { error?: string }) => {
      const reply = this.#reply;
      this.#reply = undefined;
      if (result.error !== undefined) reply?.reject(new Error(result.error));
      else reply?.resolve(result);
    });
    this.#worker.on('error', (err) => this.#lost(err));
    // A worker gone without an error (killed) must not leave a round waiting for its answer.
    this.#worker.on('exit', () => this.#lost(new Error('the checkpoint worker exited')));
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
    void this.#round().finally(() => {
      this.#busy = false;
    });
  }

  async #round(): Promise<void> {
    try {
      const first = await this.#checkpoint();
      if (first.log > this.#restartFrames && !this.#closed) {
        await this.#hold(() => this.#checkpoint());
        this.restarts++;
      }
    } catch (err) {
      this.#fail(err instanceof Error ? err.message : String(err));
    }
  }

  #checkpoint(): Promise<Round> {
    return new Promise((resolve, reject) => {
      this.#reply = { resolve, reject };
      this.#worker.postMessage('checkpoint');
    });
  }

  #lost(err: Error): void {
    const reply = this.#reply;
    this.#reply = undefined;
    if (reply !== undefined) reply.reject(err);
    else if (!this.#closed) this.#fail(err.message);
  }

  #fail(error: string): void {
    if (this.lastError === undefined) this.#fallBack();
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
    const [round] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: round.log });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;
