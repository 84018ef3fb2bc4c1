import type { AccessGrant } from '../repos/tokens.js';

/** Grants kept at most; past it the cache starts over (a bound against many distinct tokens). */
const MAX_ENTRIES = 10_000;

/**
 * Access grants by token hash, for a store that only this process writes (SQLite): every API
 * request reads its token's grant, and the apps, tokens and short codes behind it change
 * rarely and only through this process's repositories, which call `invalidate` after each
 * change. So a cached grant is exactly what the store holds, and an operator's change still
 * applies to the very next request. PostgreSQL has no cache: another instance may write.
 */
export class GrantCache {
  readonly #grants = new Map<string, AccessGrant>();
  /** Bumped by every change: a read that began before one must not be kept. */
  #generation = 0;

  async get(hash: string, load: () => Promise<AccessGrant | undefined>): Promise<AccessGrant | undefined> {
    const cached = this.#grants.get(hash);
    if (cached !== undefined) return cached;
    const generation = this.#generation;
    const grant = await load();
    if (grant !== undefined && generation === this.#generation) {
      if (this.#grants.size >= MAX_ENTRIES) this.#grants.clear();
      this.#grants.set(hash, grant);
    }
    return grant;
  }

  /** After a change to apps, tokens or short codes (whichever rows it touched). */
  invalidate(): void {
    this.#generation++;
    this.#grants.clear();
  }
}

/** Awaits a change to apps, tokens or short codes, then drops the grants it may have outdated. */
export async function changingGrants<T>(grants: GrantCache | undefined, change: Promise<T>): Promise<T> {
  try {
    return await change;
  } finally {
    grants?.invalidate();
  }
}
