/** Values kept at most; past it the cache starts over (a bound against many distinct keys). */
const MAX_ENTRIES = 10_000;

/**
 * Rows read on every request but changed rarely (access grants, handset states), kept in memory
 * for a store that only this process writes (SQLite): every change goes through this process's
 * repositories, which call `invalidate` after it, so a kept value is exactly what the store
 * holds and a change applies to the very next read. PostgreSQL has no such cache: another
 * instance may write.
 */
export class ReadCache<V> {
  readonly #values = new Map<string, V>();
  /** Bumped by every change: a read that began before one must not be kept. */
  #generation = 0;

  async get<R extends V | undefined>(key: string, load: () => Promise<R>): Promise<R | V> {
    const kept = this.#values.get(key);
    if (kept !== undefined) return kept;
    const generation = this.#generation;
    const value = await load();
    if (value !== undefined && generation === this.#generation) {
      if (this.#values.size >= MAX_ENTRIES) this.#values.clear();
      this.#values.set(key, value);
    }
    return value;
  }

  /** After a change to the rows behind the values (whichever rows it touched). */
  invalidate(): void {
    this.#generation++;
    this.#values.clear();
  }
}

/** Awaits a change to the rows behind `cache`, then drops the values it may have outdated. */
export async function afterChange<T>(cache: ReadCache<unknown> | undefined, change: Promise<T>): Promise<T> {
  try {
    return await change;
  } finally {
    cache?.invalidate();
  }
}
