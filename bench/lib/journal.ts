import { open, type FileHandle } from 'node:fs/promises';

/**
 * An append-only journal with group sync, for the journaled relay (relay-server.ts): what a
 * gateway whose durable state is one log would pay. Lines appended while a write and its
 * `fdatasync` run go out together in the next one; `appendSynced` resolves once its line is on
 * disk. The file system calls run on libuv's pool, off the event loop.
 */
export class Journal {
  readonly #file: FileHandle;
  #lines: string[] = [];
  #waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  #writing = false;

  private constructor(file: FileHandle) {
    this.#file = file;
  }

  static async open(path: string): Promise<Journal> {
    return new Journal(await open(path, 'a'));
  }

  /** Appends a record without waiting for it to be on disk. */
  append(record: object): void {
    this.#lines.push(`${JSON.stringify(record)}\n`);
    void this.#drain();
  }

  /** Appends a record; resolves once it is on disk, rejects if its write or sync failed. */
  appendSynced(record: object): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.append(record);
    });
  }

  close(): Promise<void> {
    return this.#file.close();
  }

  async #drain(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#lines.length > 0) {
        const lines = this.#lines;
        const waiters = this.#waiters;
        this.#lines = [];
        this.#waiters = [];
        try {
          await this.#file.write(lines.join(''));
          await this.#file.datasync();
        } catch (err) {
          for (const w of waiters) w.reject(err);
          continue;
        }
        for (const w of waiters) w.resolve();
      }
    } finally {
      this.#writing = false;
    }
  }
}
