import { createQueryId, type Compilable, type CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from '../schema.js';

/** Stands in for a value (or one element of an array value) while a prepared query is built. */
class Slot {
  constructor(
    readonly name: string,
    readonly index?: number,
  ) {}
}

/** Per parameter: the value (or array element) to put there, a whole array, or a constant the builder wrote itself. */
type Param = { readonly slot: string; readonly index: number | undefined } | { readonly list: string } | { readonly value: unknown };

interface Shape {
  readonly compiled: CompiledQuery;
  readonly params: readonly Param[];
}

/** The lengths of the array values: a query is built once per combination (`in` lists differ in length). */
function arrayLengths(values: object): string {
  let key = '';
  // A plain loop: this runs for every prepared query, most of which have no array at all.
  for (const name in values) {
    const value = (values as Record<string, unknown>)[name];
    if (Array.isArray(value)) key += `${name}:${value.length};`;
  }
  return key;
}

function paramOf(p: unknown): Param {
  if (p instanceof Slot) return { slot: p.name, index: p.index };
  // An array passed as one value (PostgreSQL's `= any($1)`) arrives as the stand-in's elements.
  if (Array.isArray(p) && p.length > 0 && p.every((e) => e instanceof Slot && e.name === (p[0] as Slot).name)) return { list: (p[0] as Slot).name };
  return { value: p };
}

/**
 * A query of fixed shape, built and compiled once per engine and then run with new values.
 * Building and compiling with Kysely costs 5–15 µs a query, paid dozens of times per message on
 * the hot paths; the statements themselves are cached by SQL text already (see statement-cache).
 * `build` receives stand-ins for the values: use each only as a whole value (`where(col, '=', v)`,
 * `set({ col: v })`, `values({ col: v })`, PostgreSQL's `eb.fn.any(eb.val(v))`) or, for an array
 * value, as an `in` list (`where(col, 'in', v)`); never inside an expression that inspects it.
 * An `in` list is a different statement for each length, so a query is built once per length of
 * each of its arrays: keep those lengths bounded (a claim's batch, not a caller's list).
 *
 * @example
 * const deleteJob = prepared((db, v: { id: string }) => db.deleteFrom('jobs').where('id', '=', v.id));
 * await deleteJob(trx, { id });
 */
export function prepared<V extends object, O>(build: (db: Kysely<Database>, values: V) => Compilable<O>): (db: Kysely<Database>, values: V) => Promise<QueryResult<O>> {
  // Keyed by the engine's adapter class (the SQL differs between engines, not between stores),
  // then by the lengths of the array values.
  const shapes = new Map<unknown, Map<string, Shape>>();
  return (db, values) => {
    const engine = db.getExecutor().adapter.constructor;
    let byLengths = shapes.get(engine);
    if (byLengths === undefined) {
      byLengths = new Map();
      shapes.set(engine, byLengths);
    }
    const lengths = arrayLengths(values);
    let shape = byLengths.get(lengths);
    if (shape === undefined) {
      const real = values as Record<string, unknown>;
      const stand = new Proxy({} as V, {
        get: (_t, name) => {
          const value = real[String(name)];
          return Array.isArray(value) ? value.map((_e, i) => new Slot(String(name), i)) : new Slot(String(name));
        },
      });
      const compiled = build(db, stand).compile();
      shape = { compiled, params: compiled.parameters.map(paramOf) };
      byLengths.set(lengths, shape);
    }
    const v = values as Record<string, unknown>;
    const parameters = shape.params.map((p) => {
      if ('value' in p) return p.value;
      if ('list' in p) return v[p.list];
      const value = v[p.slot];
      return p.index === undefined ? value : (value as unknown[])[p.index];
    });
    return db.executeQuery<O>({ ...shape.compiled, parameters, queryId: createQueryId() });
  };
}

/**
 * One prepared query per LIMIT: a batch size is written into the statement, since a bound LIMIT
 * makes SQLite prepare the statement again on every run (see sqlite/inline-limit.ts).
 */
export function perLimit<Q>(make: (limit: number) => Q): (limit: number) => Q {
  const made = new Map<number, Q>();
  return (limit) => {
    let query = made.get(limit);
    if (query === undefined) {
      query = make(limit);
      made.set(limit, query);
    }
    return query;
  };
}
