import type { HeldReceipt, SmppFinalState, SmppMessageFinalState, SmppMessageRecord, SmppOpening, SmppPartMatch, SmppPartRecord, SmppPartState, SmppRepo } from '../repos/smpp.js';
import { sql, type ExpressionBuilder, type Kysely, type QueryCreator } from 'kysely';
import type { Database, SmppHeldReceiptsTable, SmppMessagesTable, SmppPartsTable } from '../schema.js';
import { insertJson } from './accept-postgres.js';
import { Coalescer, coalescedWrites, lookupAllByKey } from './coalesce.js';
import { writeOne, type SqlContext } from './context.js';
import { prepared } from './prepared.js';
import { AwaitingReceipts } from './smpp-awaiting.js';

const FINAL_PART_STATES: readonly SmppPartState[] = ['delivered', 'undeliverable', 'expired', 'rejected'];

function toMessage(row: SmppMessagesTable): SmppMessageRecord {
  return {
    recipientId: row.recipient_id,
    messageId: row.message_id,
    total: Number(row.total),
    concatRef: Number(row.concat_ref),
    finalState: row.final_state as SmppMessageFinalState | null,
    finalAt: row.final_at === null ? null : Number(row.final_at),
    lastReceiptAt: row.last_receipt_at === null ? null : Number(row.last_receipt_at),
    createdAt: Number(row.created_at),
  };
}

function toPart(row: SmppPartsTable): SmppPartRecord {
  return {
    recipientId: row.recipient_id,
    part: Number(row.part),
    smscId: row.smsc_id,
    idKey: row.id_key,
    idDec: row.id_dec,
    idHex: row.id_hex,
    state: row.state as SmppPartState,
    errorCode: row.error_code,
    submittedAt: Number(row.submitted_at),
    receiptAt: row.receipt_at === null ? null : Number(row.receipt_at),
  };
}

function toMatch(row: SmppPartsTable & { total: number | null; final_state: string | null }): SmppPartMatch {
  return { ...toPart(row), total: row.total === null ? null : Number(row.total), messageFinal: row.final_state !== null };
}

function toHeld(row: SmppHeldReceiptsTable): HeldReceipt {
  return {
    id: row.id,
    ids: JSON.parse(row.ids) as string[],
    state: row.state as SmppPartState,
    stat: row.stat,
    final: Number(row.final) === 1,
    errorCode: row.error_code,
    receiptAt: Number(row.receipt_at),
    heldAt: Number(row.held_at),
    attempts: Number(row.attempts),
  };
}

function openingRow(record: SmppOpening): SmppMessagesTable {
  return {
    recipient_id: record.recipientId,
    message_id: record.messageId,
    total: record.total,
    concat_ref: record.concatRef,
    final_state: null,
    final_at: null,
    last_receipt_at: null,
    created_at: record.createdAt,
  };
}

// The statements every SMPP message runs through, compiled once (see prepared.ts).
const messageOf = prepared((db, v: { recipientId: string }) => db.selectFrom('smpp_messages').selectAll().where('recipient_id', '=', v.recipientId));
/** 8-bit concatenation references (UDH IEI 0x00), as the connector sends them. */
const CONCAT_REFS = 256;
// One statement, so two takes for one destination (on any instance) cannot read the same last reference.
const takeConcatRef = prepared((db, v: { e164: string; first: number; at: number }) =>
  db
    .insertInto('smpp_concat_refs')
    .values({ e164: v.e164, ref: v.first, used_at: v.at })
    .onConflict((oc) =>
      oc.column('e164').doUpdateSet((eb) => ({ ref: sql<number>`(${eb.ref('smpp_concat_refs.ref')} + 1) % ${sql.lit(CONCAT_REFS)}`, used_at: eb.ref('excluded.used_at') })),
    )
    .returning('ref'),
);
const partsOf = prepared((db, v: { recipientId: string }) => db.selectFrom('smpp_parts').selectAll().where('recipient_id', '=', v.recipientId).orderBy('part'));
/**
 * Parts with their message's total and final state (a receipt usually needs nothing more). Read
 * by subqueries rather than a join: without statistics yet (a fresh database) PostgreSQL joined
 * by hashing the whole message table, ≈ 2.3 ms per receipt on the benchmark.
 */
function partsMatching(db: Kysely<Database>) {
  return db
    .selectFrom('smpp_parts as p')
    .selectAll('p')
    .select((eb) => [
      eb.selectFrom('smpp_messages as m').select('m.total').whereRef('m.recipient_id', '=', 'p.recipient_id').as('total'),
      eb.selectFrom('smpp_messages as m').select('m.final_state').whereRef('m.recipient_id', '=', 'p.recipient_id').as('final_state'),
    ]);
}
const partsByKey = prepared((db, v: { id: string }) =>
  partsMatching(db)
    .where((eb) => eb.or([eb('p.id_key', '=', v.id), eb('p.id_dec', '=', v.id), eb('p.id_hex', '=', v.id)]))
    .limit(50),
);
const partsByExactKey = prepared((db, v: { id: string }) => partsMatching(db).where('p.id_key', '=', v.id).limit(50));
const insertMessageOf = (db: QueryCreator<Database>, m: SmppMessagesTable) =>
  db
    .insertInto('smpp_messages')
    .values({
      recipient_id: m.recipient_id,
      message_id: m.message_id,
      total: m.total,
      concat_ref: m.concat_ref,
      final_state: m.final_state,
      final_at: m.final_at,
      last_receipt_at: m.last_receipt_at,
      created_at: m.created_at,
    })
    .onConflict((oc) => oc.column('recipient_id').doNothing());
const insertMessage = prepared(insertMessageOf);
const upsertPartOf = (db: QueryCreator<Database>, p: SmppPartsTable) => {
  // A resubmitted part takes the new SMSC id and starts over.
  const latest = {
    smsc_id: p.smsc_id,
    id_key: p.id_key,
    id_dec: p.id_dec,
    id_hex: p.id_hex,
    state: p.state,
    error_code: p.error_code,
    submitted_at: p.submitted_at,
    receipt_at: p.receipt_at,
  };
  return db
    .insertInto('smpp_parts')
    .values({ recipient_id: p.recipient_id, part: p.part, ...latest })
    .onConflict((oc) => oc.columns(['recipient_id', 'part']).doUpdateSet(latest));
};
const upsertPart = prepared(upsertPartOf);
type PartReceipt = { recipientId: string; part: number; state: string; errorCode: string | null; at: number };
const partReceipt = (db: QueryCreator<Database>, v: PartReceipt) =>
  db
    .updateTable('smpp_parts')
    .set({ state: v.state, error_code: v.errorCode, receipt_at: v.at })
    .where('recipient_id', '=', v.recipientId)
    .where('part', '=', v.part)
    .where('state', 'not in', FINAL_PART_STATES);
const finalPartReceipt = prepared(partReceipt);
// An intermediate state (enroute, accepted) only moves a part that has had no receipt yet.
const interimPartReceipt = prepared((db, v: PartReceipt) => partReceipt(db, v).where('state', '=', 'submitted'));
const noteReceipt = prepared((db, v: { recipientId: string; at: number }) => db.updateTable('smpp_messages').set({ last_receipt_at: v.at }).where('recipient_id', '=', v.recipientId));
type Settle = { recipientId: string; part: number; state: string; errorCode: string | null; at: number };
const settleMessageOf = (db: QueryCreator<Database>, v: Settle) =>
  db
    .updateTable('smpp_messages')
    .set({ final_state: v.state, final_at: v.at, last_receipt_at: v.at })
    .where('recipient_id', '=', v.recipientId)
    .where('final_state', 'is', null);
const settleMessage = prepared(settleMessageOf);
const finaliseMessage = prepared((db, v: { recipientId: string; state: string; at: number }) =>
  db.updateTable('smpp_messages').set({ final_state: v.state, final_at: v.at }).where('recipient_id', '=', v.recipientId).where('final_state', 'is', null),
);

/** A message row's condition: each of its parts was accepted (has a row). */
function everyPartAccepted(eb: ExpressionBuilder<Database, 'smpp_messages'>) {
  return eb(
    eb.selectFrom('smpp_parts as p').select((e) => e.fn.countAll<number>().as('n')).whereRef('p.recipient_id', '=', 'smpp_messages.recipient_id'),
    '=',
    eb.ref('smpp_messages.total'),
  );
}

const partsByExactKeys = prepared((db, v: { ids: string[] }) => partsMatching(db).where('p.id_key', '=', (eb) => eb.fn.any(eb.val(v.ids))));
type MatchRow = Awaited<ReturnType<typeof partsByExactKeys>>['rows'][number];

/** PostgreSQL: parts (with their messages opened where asked) recorded in one statement. */
async function recordParts(db: Kysely<Database>, batch: readonly { readonly part: SmppPartsTable; readonly open?: SmppMessagesTable }[]): Promise<void> {
  const openings = batch.flatMap((b) => (b.open === undefined ? [] : [b.open]));
  // A resubmitted part takes the new SMSC id and starts over.
  const latest = sql.join(
    (['smsc_id', 'id_key', 'id_dec', 'id_hex', 'state', 'error_code', 'submitted_at', 'receipt_at'] as const).map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`),
  );
  const upsert = sql`${insertJson('smpp_parts', batch.map((b) => b.part))} on conflict (recipient_id, part) do update set ${latest}`;
  if (openings.length === 0) await upsert.execute(db);
  else await sql`with m as (${insertJson('smpp_messages', openings)} on conflict (recipient_id) do nothing) ${upsert}`.execute(db);
}

/** PostgreSQL: `settle` for a batch in one statement; answers the recipients whose message it made final. */
async function settleMany(db: Kysely<Database>, batch: readonly Settle[]): Promise<Set<string>> {
  const column = <K extends keyof Settle>(key: K) => batch.map((b) => b[key]);
  const finals = sql.join(FINAL_PART_STATES.map((f) => sql`${f}`));
  const { rows } = await sql<{ recipient_id: string }>`with v as (
      select * from unnest(${column('recipientId')}::text[], ${column('part')}::int4[], ${column('state')}::text[], ${column('errorCode')}::text[], ${column('at')}::int8[])
        as v(recipient_id, part, state, error_code, at)),
    p as (update smpp_parts sp set state = v.state, error_code = v.error_code, receipt_at = v.at
      from v where sp.recipient_id = v.recipient_id and sp.part = v.part and sp.state not in (${finals}))
    update smpp_messages sm set final_state = v.state, final_at = v.at, last_receipt_at = v.at
      from v where sm.recipient_id = v.recipient_id and sm.final_state is null returning sm.recipient_id`.execute(db);
  return new Set(rows.map((r) => r.recipient_id));
}

export class SqlSmppRepo implements SmppRepo {
  readonly #ctx: SqlContext;
  // PostgreSQL: the statements of concurrent submits and receipts share round trips (see coalesce.ts).
  readonly #records: Coalescer<{ part: SmppPartsTable; open?: SmppMessagesTable }, undefined> | undefined;
  readonly #exact: Coalescer<string, MatchRow[]> | undefined;
  readonly #settles: Coalescer<Settle, boolean> | undefined;
  readonly #awaiting = new AwaitingReceipts();

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      // The same part twice in one batch cannot be upserted by one statement: each goes alone then.
      this.#records = coalescedWrites((batch) => recordParts(ctx.db, batch));
      this.#exact = lookupAllByKey(async (ids) => (await partsByExactKeys(ctx.db, { ids })).rows, (row) => row.id_key);
      this.#settles = new Coalescer({
        maxBatch: 100,
        run: async (batch) => {
          // A recipient twice in one batch (never from one tracker, which locks per recipient):
          // the first one settles it, as it would have alone; the other finds it final.
          const first = new Map(batch.map((b, i) => [b.recipientId, i] as const).reverse());
          const settled = await settleMany(ctx.db, [...first.values()].map((i) => batch[i] as Settle));
          return batch.map((b, i) => first.get(b.recipientId) === i && settled.has(b.recipientId));
        },
      });
    }
  }

  async message(recipientId: string): Promise<{ message: SmppMessageRecord; parts: SmppPartRecord[] } | undefined> {
    const { db } = this.#ctx;
    const [row] = (await messageOf(db, { recipientId })).rows;
    if (row === undefined) return undefined;
    const parts = (await partsOf(db, { recipientId })).rows;
    return { message: toMessage(row), parts: parts.map(toPart) };
  }

  async nextConcatRef(e164: string, at: number): Promise<number> {
    // A destination without a row had no multi-part message within the retention (see prune), so
    // nothing of an earlier one can still be in flight to it: any start will do.
    const first = Math.floor(Math.random() * CONCAT_REFS);
    const { rows } = await writeOne(this.#ctx, (db) => takeConcatRef(db, { e164, first, at }));
    const [row] = rows;
    if (row === undefined) throw new Error(`no concatenation reference returned for ${e164}`);
    return Number(row.ref);
  }

  async openMessage(record: SmppOpening): Promise<SmppMessageRecord> {
    return this.#ctx.write(async (trx) => {
      await insertMessage(trx, openingRow(record));
      // A resubmitted message keeps the record (and concatenation reference) it was opened with.
      const [row] = (await messageOf(trx, { recipientId: record.recipientId })).rows;
      if (row === undefined) throw new Error(`smpp message of ${record.recipientId} vanished`);
      return toMessage(row);
    });
  }

  async recordPart(part: Omit<SmppPartRecord, 'state' | 'errorCode' | 'receiptAt'>, open?: SmppOpening): Promise<void> {
    const row: SmppPartsTable = {
      recipient_id: part.recipientId,
      part: part.part,
      smsc_id: part.smscId,
      id_key: part.idKey,
      id_dec: part.idDec,
      id_hex: part.idHex,
      state: 'submitted',
      error_code: null,
      submitted_at: part.submittedAt,
      receipt_at: null,
    };
    if (open === undefined) {
      // A part sent again (or one of several): whatever this recipient waited under is stale.
      this.#awaiting.forget(part.recipientId);
      if (this.#records !== undefined) return this.#records.call({ part: row });
      await writeOne(this.#ctx, (db) => upsertPart(db, row));
      return;
    }
    if (this.#records !== undefined) await this.#records.call({ part: row, open: openingRow(open) });
    else {
      await this.#ctx.write(async (trx) => {
        await insertMessage(trx, openingRow(open));
        await upsertPart(trx, row);
      });
    }
    if (open.total === 1) this.#awaiting.remember({ ...toPart(row), total: 1, messageFinal: false }, open.createdAt);
  }

  async findParts(keys: readonly string[]): Promise<SmppPartMatch[]> {
    if (keys.length === 0) return [];
    const list = [...new Set(keys)];
    // A receipt usually names its message one way: that common shape is prepared.
    if (list.length === 1 && list[0] !== undefined) return (await partsByKey(this.#ctx.db, { id: list[0] })).rows.map(toMatch);
    const rows = await partsMatching(this.#ctx.db)
      .where((eb) => eb.or([eb('p.id_key', 'in', list), eb('p.id_dec', 'in', list), eb('p.id_hex', 'in', list)]))
      .limit(50)
      .execute();
    return rows.map(toMatch);
  }

  async findExactParts(keys: readonly string[]): Promise<SmppPartMatch[]> {
    const list = [...new Set(keys)];
    if (list.length === 1 && list[0] !== undefined) {
      const awaiting = this.#awaiting.find(list[0]);
      if (awaiting !== undefined) return [awaiting];
      const rows = this.#exact !== undefined ? await this.#exact.call(list[0]) : (await partsByExactKey(this.#ctx.db, { id: list[0] })).rows;
      // The batch's statement has no per-key limit; one receipt's candidates stay bounded as before.
      return rows.slice(0, 50).map(toMatch);
    }
    if (list.length === 0) return [];
    return (await partsMatching(this.#ctx.db).where('p.id_key', 'in', list).limit(50).execute()).map(toMatch);
  }

  async applyReceipt(recipientId: string, part: number, state: SmppPartState, errorCode: string | null, at: number): Promise<void> {
    await this.#ctx.write(async (trx) => {
      const update = FINAL_PART_STATES.includes(state) ? finalPartReceipt : interimPartReceipt;
      await update(trx, { recipientId, part, state, errorCode, at });
      await noteReceipt(trx, { recipientId, at });
    });
  }

  async finalise(recipientId: string, state: SmppMessageFinalState, at: number): Promise<boolean> {
    const r = await writeOne(this.#ctx, (db) => finaliseMessage(db, { recipientId, state, at }));
    // A single-part one is final without its receipt only when settled as uncertain.
    this.#awaiting.forget(recipientId);
    return Number(r.numAffectedRows ?? 0n) === 1;
  }

  async settle(recipientId: string, part: number, state: SmppFinalState, errorCode: string | null, at: number): Promise<boolean> {
    const v = { recipientId, part, state, errorCode, at };
    const settled = this.#settles !== undefined ? await this.#settles.call(v) : await this.#settleAlone(v);
    this.#awaiting.forget(recipientId);
    return settled;
  }

  async #settleAlone(v: Settle): Promise<boolean> {
    const r = await this.#ctx.write(async (trx) => {
      await finalPartReceipt(trx, v);
      return settleMessage(trx, v);
    });
    return Number(r.numAffectedRows ?? 0n) === 1;
  }

  async stalled(before: number, limit: number): Promise<SmppMessageRecord[]> {
    const rows = await this.#ctx.db
      .selectFrom('smpp_messages')
      .selectAll()
      .where('final_state', 'is', null)
      .where('last_receipt_at', 'is not', null)
      .where('last_receipt_at', '<', before)
      .where(everyPartAccepted)
      .where((eb) =>
        eb.exists(
          eb.selectFrom('smpp_parts as p').select('p.part').whereRef('p.recipient_id', '=', 'smpp_messages.recipient_id').where('p.state', '=', 'delivered'),
        ),
      )
      .orderBy('last_receipt_at')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  async overdue(before: number, limit: number): Promise<SmppMessageRecord[]> {
    const rows = await this.#ctx.db
      .selectFrom('smpp_messages')
      .selectAll()
      .where('created_at', '<', before)
      .where('final_state', 'is', null)
      .where(everyPartAccepted)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  async hold(receipt: HeldReceipt): Promise<void> {
    await this.#ctx.write(async (trx) => {
      await trx
        .insertInto('smpp_held_receipts')
        .values({
          id: receipt.id,
          ids: JSON.stringify(receipt.ids),
          state: receipt.state,
          stat: receipt.stat,
          final: receipt.final ? 1 : 0,
          error_code: receipt.errorCode,
          receipt_at: receipt.receiptAt,
          held_at: receipt.heldAt,
          attempts: receipt.attempts,
          unmatched_at: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    });
  }

  async held(limit: number, after?: Pick<HeldReceipt, 'heldAt' | 'id'>): Promise<HeldReceipt[]> {
    let query = this.#ctx.db.selectFrom('smpp_held_receipts').selectAll().where('unmatched_at', 'is', null);
    if (after !== undefined) {
      query = query.where((eb) => eb.or([eb('held_at', '>', after.heldAt), eb.and([eb('held_at', '=', after.heldAt), eb('id', '>', after.id)])]));
    }
    const rows = await query.orderBy('held_at').orderBy('id').limit(limit).execute();
    return rows.map(toHeld);
  }

  async release(id: string): Promise<void> {
    await this.#ctx.write(async (trx) => {
      await trx.deleteFrom('smpp_held_receipts').where('id', '=', id).execute();
    });
  }

  async markUnmatched(id: string, at: number): Promise<boolean> {
    return this.#ctx.write(async (trx) => {
      const res = await trx.updateTable('smpp_held_receipts').set({ unmatched_at: at }).where('id', '=', id).where('unmatched_at', 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    });
  }

  async counts(): Promise<{ held: number; unmatched: number }> {
    const rows = await this.#ctx.db
      .selectFrom('smpp_held_receipts')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('unmatched_at').as('unmatched')])
      .executeTakeFirstOrThrow();
    const total = Number(rows.n);
    const unmatched = Number(rows.unmatched);
    return { held: total - unmatched, unmatched };
  }

  async prune(finalBefore: number, openBefore: number, limit: number): Promise<number> {
    this.#awaiting.forgetOpenedBefore(openBefore);
    return this.#ctx.write(async (trx) => {
      // Two index range reads (final_at; created_at, of which only the open are this old), not one scan.
      const final = await trx.selectFrom('smpp_messages').select('recipient_id').where('final_at', '<', finalBefore).limit(limit).execute();
      const open =
        final.length < limit
          ? await trx
              .selectFrom('smpp_messages')
              .select('recipient_id')
              .where('created_at', '<', openBefore)
              .where('final_state', 'is', null)
              // One with every part accepted waits to be settled as uncertain (see overdue), whatever this prune's clock says.
              .where((eb) => eb.not(everyPartAccepted(eb)))
              .limit(limit - final.length)
              .execute()
          : [];
      const ids = [...final, ...open].map((r) => r.recipient_id);
      if (ids.length > 0) {
        await trx.deleteFrom('smpp_parts').where('recipient_id', 'in', ids).execute();
        await trx.deleteFrom('smpp_messages').where('recipient_id', 'in', ids).execute();
      }
      if (ids.length === limit) return ids.length;
      const held = await trx
        .deleteFrom('smpp_held_receipts')
        .where('id', 'in', (eb) => eb.selectFrom('smpp_held_receipts').select('id').where('unmatched_at', '<', finalBefore).limit(limit - ids.length))
        .executeTakeFirst();
      const gone = ids.length + Number(held.numDeletedRows);
      if (gone === limit) return gone;
      // Only once every message that could still be sent again under one of its references is
      // gone (open ones go after openBefore), so a stray part never meets a fresh random start.
      const unusedSince = Math.min(finalBefore, openBefore);
      const refs = await trx
        .deleteFrom('smpp_concat_refs')
        .where('e164', 'in', (eb) => eb.selectFrom('smpp_concat_refs').select('e164').where('used_at', '<', unusedSince).limit(limit - gone))
        // Checked again on the row itself: PostgreSQL then spares one another instance took a reference from meanwhile.
        .where('used_at', '<', unusedSince)
        .executeTakeFirst();
      return gone + Number(refs.numDeletedRows);
    });
  }
}
