import { createHash } from 'node:crypto';

/** Statements PostgreSQL can prepare; BEGIN, COMMIT, LISTEN, SET, DDL and the like stay unnamed. */
const PLANNABLE = /^\s*(select|insert|update|delete|with)\b/i;

export interface StatementNamesOptions {
  /** A text is named from this sighting on; one-off texts (odd IN-list lengths) stay unnamed. */
  readonly after: number;
  /** Most texts ever named: each connection keeps every named statement it ran until it closes. */
  readonly max: number;
}

/**
 * Which SQL texts to send as named prepared statements. `pg` parses a named statement once per
 * connection and afterwards sends only Bind/Execute, so PostgreSQL skips parse and analysis (each
 * run is still planned for its values: see plan_cache_mode in postgres-store.ts): on the
 * benchmarks this took PostgreSQL's CPU per message down by about 40 %. Only texts with
 * parameters are named: they already use the extended protocol, whereas a text without them may
 * hold several statements, which only the simple protocol accepts.
 */
export class StatementNames {
  readonly #options: StatementNamesOptions;
  readonly #named = new Map<string, string>();
  /** Sightings of texts not yet named; cleared when it grows to `max` so it stays bounded too. */
  readonly #seen = new Map<string, number>();

  constructor(options: StatementNamesOptions) {
    this.#options = options;
  }

  /** The name to prepare `text` under, or undefined to send it unnamed. */
  nameFor(text: string, parameterCount: number): string | undefined {
    if (parameterCount === 0) return undefined;
    const named = this.#named.get(text);
    if (named !== undefined) return named;
    const { after, max } = this.#options;
    if (this.#named.size >= max || !PLANNABLE.test(text)) return undefined;
    const seen = (this.#seen.get(text) ?? 0) + 1;
    if (seen < after) {
      if (this.#seen.size >= max) this.#seen.clear();
      this.#seen.set(text, seen);
      return undefined;
    }
    this.#seen.delete(text);
    // 96 bits of SHA-1: distinct texts never share a name (which `pg` would refuse), and the name
    // stays under PostgreSQL's 63-byte limit (longer names are cut, which could make them collide).
    const name = `sb_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    this.#named.set(text, name);
    return name;
  }
}
