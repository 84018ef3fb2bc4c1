import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { timeOrderedHexSource } from '../../ordered-ids.js';
import type { HandsetKind, HandsetMessageRecord, HandsetRecord, HandsetRepo, StoredHandsetMessage } from '../repos/handsets.js';
import type { HandsetMessagesTable, HandsetsTable } from '../schema.js';
import { insertJson } from './accept-postgres.js';
import { Coalescer, lookupByKey, rowRefused } from './coalesce.js';
import { writeOne, type SqlContext } from './context.js';
import { prepared } from './prepared.js';

const DEFAULT: Omit<HandsetRecord, 'number'> = { online: true, kind: 'mobile' };

const handsetHex = timeOrderedHexSource();

/**
 * A time-ordered id (timeOrderedHexSource), so sorting by id gives arrival order without an
 * engine-specific serial column, and a page of a handset's messages starts after the last id of
 * the one before. 64 random bits (16 hex digits of a v4 UUID, drawn from a pooled buffer) keep
 * apart the ids of two instances on one database. Ids of the older forms (15 decimal digits of
 * milliseconds, then a counter) begin with `00`, which these have not since March 2026, so they
 * sort before these.
 */
function orderedId(at: number): string {
  return `${handsetHex(at)}-${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

function toMessage(row: HandsetMessagesTable): StoredHandsetMessage {
  return {
    id: row.id,
    number: row.number,
    direction: row.direction,
    peer: row.peer,
    text: row.text,
    encoding: row.encoding,
    segments: Number(row.segments),
    receivedAt: Number(row.received_at),
  };
}

const handsetByNumber = prepared((db, v: { number: string }) => db.selectFrom('handsets').selectAll().where('number', '=', v.number));
// PostgreSQL: the simulated network reads a handset three times per message; concurrent reads share a round trip (see coalesce.ts).
const handsetsByNumber = prepared((db, v: { numbers: string[] }) =>
  db
    .selectFrom('handsets')
    .selectAll()
    .where('number', '=', (eb) => eb.fn.any(eb.val(v.numbers))),
);

const insertMessage = prepared((db, m: HandsetMessagesTable) =>
  db
    .insertInto('handset_messages')
    .values({
      id: m.id,
      number: m.number,
      direction: m.direction,
      peer: m.peer,
      text: m.text,
      encoding: m.encoding,
      segments: m.segments,
      ref: m.ref,
      received_at: m.received_at,
    })
    // A redelivered MT (its job ran again after a crash) lands once; MO have no ref and never clash.
    .onConflict((oc) => oc.column('ref').doNothing()),
);

export class SqlHandsetRepo implements HandsetRepo {
  readonly #ctx: SqlContext;

  readonly #byNumber: Coalescer<string, HandsetsTable | undefined> | undefined;
  readonly #inserts: Coalescer<HandsetMessagesTable, boolean> | undefined;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      this.#byNumber = lookupByKey(async (numbers) => (await handsetsByNumber(ctx.fixedPlanDb ?? ctx.db, { numbers })).rows, (row) => row.number);
      this.#inserts = new Coalescer({
        maxBatch: 100,
        run: async (rows) => {
          const { rows: inserted } = await sql<{ id: string }>`${insertJson('handset_messages', rows)} on conflict (ref) do nothing returning id`.execute(ctx.db);
          // An MT ref twice in one batch (a redelivery) is stored once: only that row was inserted.
          const fresh = new Set(inserted.map((r) => r.id));
          return rows.map((r) => fresh.has(r.id));
        },
        retryAlone: rowRefused,
      });
    }
  }

  async get(number: string): Promise<HandsetRecord> {
    const row = this.#byNumber !== undefined ? await this.#byNumber.call(number) : (await handsetByNumber(this.#ctx.db, { number })).rows[0];
    if (row === undefined) return { number, ...DEFAULT };
    return { number, online: Number(row.online) === 1, kind: row.kind as HandsetKind };
  }

  async update(number: string, changes: { online?: boolean; kind?: HandsetKind }, now: number): Promise<HandsetRecord> {
    return this.#ctx.write(async (trx) => {
      const row = await trx.selectFrom('handsets').selectAll().where('number', '=', number).executeTakeFirst();
      const current = row === undefined ? DEFAULT : { online: Number(row.online) === 1, kind: row.kind as HandsetKind };
      const next = { online: changes.online ?? current.online, kind: changes.kind ?? current.kind };
      await trx
        .insertInto('handsets')
        .values({ number, online: next.online ? 1 : 0, kind: next.kind, updated_at: now })
        .onConflict((oc) => oc.column('number').doUpdateSet({ online: next.online ? 1 : 0, kind: next.kind, updated_at: now }))
        .execute();
      return { number, ...next };
    });
  }

  async deliverMt(message: HandsetMessageRecord & { readonly ref: string }): Promise<boolean> {
    const row = { ...this.#row(message), ref: message.ref };
    if (this.#inserts !== undefined) return this.#inserts.call(row);
    const res = await writeOne(this.#ctx, (db) => insertMessage(db, row));
    return Number(res.numAffectedRows ?? 0n) > 0;
  }

  async recordMo(message: HandsetMessageRecord): Promise<void> {
    if (this.#inserts !== undefined) {
      await this.#inserts.call(this.#row(message));
      return;
    }
    await writeOne(this.#ctx, (db) => insertMessage(db, this.#row(message)));
  }

  async sweepMessages(before: number, limit: number): Promise<number> {
    return this.#ctx.write(async (trx) => {
      const res = await trx
        .deleteFrom('handset_messages')
        .where('id', 'in', (eb) => eb.selectFrom('handset_messages').select('id').where('received_at', '<', before).limit(limit))
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }

  async messages(number: string, direction: 'MT' | 'MO', page: { readonly after?: string; readonly limit: number }): Promise<StoredHandsetMessage[]> {
    let query = this.#ctx.db.selectFrom('handset_messages').selectAll().where('number', '=', number).where('direction', '=', direction);
    if (page.after !== undefined) query = query.where('id', '>', page.after);
    const rows = await query.orderBy('id').limit(page.limit).execute();
    return rows.map(toMessage);
  }

  #row(m: HandsetMessageRecord): HandsetMessagesTable {
    return {
      id: orderedId(m.receivedAt),
      number: m.number,
      direction: m.direction,
      peer: m.peer,
      text: m.text,
      encoding: m.encoding,
      segments: m.segments,
      ref: null,
      received_at: m.receivedAt,
    };
  }
}
