/**
 * SMSC message ids, normalised so a receipt finds its submit whatever form each side uses. The
 * most common way gateways lose receipts (jasmin #210 and #1129, smscsim #4, jsmpp #56): the
 * submit_sm_resp says `00B8BE19` and the receipt says `12107289` (the same number in decimal), or
 * `b8be19` (case and padding), or the TLV and the text disagree.
 *
 * Each id gets three keys, stored with the submitted part:
 *   key   the id itself, trimmed, lower-cased, leading zeros dropped
 *   dec   the number the id spells read as hex, in decimal (when it is hex digits)
 *   hex   the number the id spells read as decimal, in hex (when it is decimal digits)
 * A receipt id R matches a submit id S when key(R) equals key(S) ('same'), dec(S) ('hex→dec': S was
 * hex, R its decimal) or hex(S) ('dec→hex'). A pure-digit id such as `1234` is both a decimal and
 * a hex spelling, so it can match two different submits; `IdMatcher` settles that with the
 * relation this SMSC has shown so far. A receipt whose only match is by another relation than the one
 * this SMSC has shown (SMPPSim's decimal `37` and the part `25`, whose hex reading is 37) is not
 * taken at once: its own part may not be stored yet (see `choose`).
 */

export interface IdKeys {
  readonly key: string;
  readonly dec: string | null;
  readonly hex: string | null;
}

export type IdRelation = 'same' | 'hex→dec' | 'dec→hex';

const HEX = /^[0-9a-f]+$/;
const DEC = /^[0-9]+$/;

/** Lower case, no surrounding space, no leading zeros ('0' stays '0'). */
export function normaliseId(id: string): string {
  const s = id.trim().toLowerCase();
  const stripped = s.replace(/^0+/, '');
  return stripped === '' && s !== '' ? '0' : stripped;
}

/** The three keys of an id (see above). Ids longer than 40 characters get no numeric forms. */
export function idKeys(id: string): IdKeys {
  const key = normaliseId(id);
  const numeric = key.length > 0 && key.length <= 40;
  const dec = numeric && HEX.test(key) ? BigInt(`0x${key}`).toString(10) : null;
  const hex = numeric && DEC.test(key) ? BigInt(key).toString(16) : null;
  return { key, dec: dec === key ? null : dec, hex: hex === key ? null : hex };
}

/** How receipt id `receipt` relates to submit id keys `submit`, or null when it does not match. */
export function relationOf(receipt: string, submit: IdKeys): IdRelation | null {
  const r = normaliseId(receipt);
  if (r === submit.key) return 'same';
  if (r === submit.dec) return 'hex→dec';
  if (r === submit.hex) return 'dec→hex';
  return null;
}

export interface Candidate<T> {
  readonly item: T;
  readonly keys: IdKeys;
}

/**
 * Picks the submit a receipt belongs to among the candidates whose keys matched any of the
 * receipt's ids. One distinct candidate: that one. Several: those matched by the relation this
 * SMSC has used most (with no history yet, the exact ('same') matches), and of these the first in
 * `order` — several submits can share one id when the SMSC hands it out again (its counter
 * restarted or wrapped). Remembers each unambiguous match so later ambiguous ones are read the
 * way this SMSC writes ids.
 */
export class IdMatcher {
  readonly #seen: Record<IdRelation, number> = { same: 0, 'hex→dec': 0, 'dec→hex': 0 };

  /**
   * With `anyRelation` false, matches only by a relation other than the one this SMSC has shown
   * count as none: the receipt's own part (the same id in this SMSC's form) may still be on its
   * way, its submit_sm_resp not read or its write not done. The caller asks again with
   * `anyRelation` once that part would have been stored.
   */
  choose<T>(
    receiptIds: readonly string[],
    candidates: readonly Candidate<T>[],
    sameItem: (a: T, b: T) => boolean,
    order: (a: T, b: T) => number,
    anyRelation = true,
  ): T | null {
    const matches: Array<{ item: T; relation: IdRelation }> = [];
    for (const c of candidates) {
      for (const id of receiptIds) {
        const relation = relationOf(id, c.keys);
        if (relation) {
          matches.push({ item: c.item, relation });
          break;
        }
      }
    }
    const first = matches[0];
    if (!first) return null;
    const shown = this.preferred();
    if (!anyRelation && this.#seen[shown] > 0 && !matches.some((m) => m.relation === shown)) return null;
    if (matches.every((m) => sameItem(m.item, first.item))) {
      this.#seen[first.relation]++;
      return first.item;
    }
    const relation = [shown, 'same'].find((r) => matches.some((m) => m.relation === r));
    const pool = relation === undefined ? matches : matches.filter((m) => m.relation === relation);
    return pool.reduce((best, m) => (order(m.item, best.item) < 0 ? m : best)).item;
  }

  /** The relation this SMSC has shown most often ('same' until it has shown any). */
  preferred(): IdRelation {
    const entries = Object.entries(this.#seen) as Array<[IdRelation, number]>;
    return entries.reduce((best, e) => (e[1] > best[1] ? e : best), ['same', 0] as [IdRelation, number])[0];
  }

  record(relation: IdRelation): void {
    this.#seen[relation]++;
  }
}
