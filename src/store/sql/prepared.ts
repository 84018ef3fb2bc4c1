import { createQueryId, type Compilable, type CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from '../schema.js';

/** Stands in for a value while a prepared query is built; replaced by the real one on each run. */
class Slot {
  constructor(readonly name: string) {}
}

interface Shape {
  readonly compiled: CompiledQuery;
  /** Per parameter: the name of the value to put there, or a constant the builder wrote itself. */
  readonly params: ReadonlyArray<{ readonly slot: string } | { readonly value: unknown }>;
}

/**
 * A query of fixed shape, built and compiled once per engine and then run with new values.
 * Building and compiling with Kysely costs 5–15 µs a query, paid dozens of times per message on
 * the hot paths; the statements themselves are cached by SQL text already (see statement-cache).
 * `build` receives stand-ins for the values: use each only as a whole value (`where(col, '=', v)`,
 * `set({ col: v })`, `values({ col: v })`), never inside an `in` list or an expression that
 * inspects it.
 *
 * @example
 * const deleteJob = prepared((db, v: { id: string }) => db.deleteFrom('jobs').where('id', '=', v.id));
 * await deleteJob(trx, { id });
 */
export function prepared<V extends object, O>(build: (db: Kysely<Database>, values: V) => Compilable<O>): (db: Kysely<Database>, values: V) => Promise<QueryResult<O>> {
  // Keyed by the engine's adapter class: the SQL differs between engines, not between stores.
  const shapes = new Map<unknown, Shape>();
  return (db, values) => {
    const engine = db.getExecutor().adapter.constructor;
    let shape = shapes.get(engine);
    if (shape === undefined) {
      const stand = new Proxy({} as V, { get: (_t, name) => new Slot(String(name)) });
      const compiled = build(db, stand).compile();
      const params = compiled.parameters.map((p) => (p instanceof Slot ? { slot: p.name } : { value: p }));
      shape = { compiled, params };
      shapes.set(engine, shape);
    }
    const parameters = shape.params.map((p) => ('slot' in p ? (values as Record<string, unknown>)[p.slot] : p.value));
    return db.executeQuery<O>({ ...shape.compiled, parameters, queryId: createQueryId() });
  };
}
