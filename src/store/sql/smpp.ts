import type { HeldReceipt, SmppFinalState, SmppMessageRecord, SmppPartRecord, SmppPartState, SmppRepo } from '../repos/smpp.js';
import type { SmppHeldReceiptsTable, SmppMessagesTable, SmppPartsTable } from '../schema.js';
import type { SqlContext } from './context.js';

const FINAL_PART_STATES: readonly SmppPartState[] = ['delivered', 'undeliverable', 'expired', 'rejected'];

function toMessage(row: SmppMessagesTable): SmppMessageRecord {
  return {
    recipientId: row.recipient_id,
    messageId: row.message_id,
    total: Number(row.total),
    concatRef: Number(row.concat_ref),
    finalState: row.final_state as SmppFinalState | null,
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

export class SqlSmppRepo implements SmppRepo {
  readonly #ctx: SqlContext;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  async message(recipientId: string): Promise<{ message: SmppMessageRecord; parts: SmppPartRecord[] } | undefined> {
    const { db } = this.#ctx;
    const row = await db.selectFrom('smpp_messages').selectAll().where('recipient_id', '=', recipientId).executeTakeFirst();
    if (row === undefined) return undefined;
    const parts = await db.selectFrom('smpp_parts').selectAll().where('recipient_id', '=', recipientId).orderBy('part').execute();
    return { message: toMessage(row), parts: parts.map(toPart) };
  }

  async openMessage(record: Pick<SmppMessageRecord, 'recipientId' | 'messageId' | 'total' | 'concatRef' | 'createdAt'>): Promise<SmppMessageRecord> {
    return this.#ctx.write(async (trx) => {
      await trx
        .insertInto('smpp_messages')
        .values({
          recipient_id: record.recipientId,
          message_id: record.messageId,
          total: record.total,
          concat_ref: record.concatRef,
          final_state: null,
          final_at: null,
          last_receipt_at: null,
          created_at: record.createdAt,
        })
        .onConflict((oc) => oc.column('recipient_id').doNothing())
        .execute();
      const row = await trx.selectFrom('smpp_messages').selectAll().where('recipient_id', '=', record.recipientId).executeTakeFirstOrThrow();
      return toMessage(row);
    });
  }

  async recordPart(part: Omit<SmppPartRecord, 'state' | 'errorCode' | 'receiptAt'>): Promise<void> {
    const values = {
      smsc_id: part.smscId,
      id_key: part.idKey,
      id_dec: part.idDec,
      id_hex: part.idHex,
      state: 'submitted',
      error_code: null,
      submitted_at: part.submittedAt,
      receipt_at: null,
    };
    await this.#ctx.write(async (trx) => {
      await trx
        .insertInto('smpp_parts')
        .values({ recipient_id: part.recipientId, part: part.part, ...values })
        .onConflict((oc) => oc.columns(['recipient_id', 'part']).doUpdateSet(values))
        .execute();
    });
  }

  async findParts(keys: readonly string[]): Promise<SmppPartRecord[]> {
    if (keys.length === 0) return [];
    const list = [...new Set(keys)];
    const rows = await this.#ctx.db
      .selectFrom('smpp_parts')
      .selectAll()
      .where((eb) => eb.or([eb('id_key', 'in', list), eb('id_dec', 'in', list), eb('id_hex', 'in', list)]))
      .limit(50)
      .execute();
    return rows.map(toPart);
  }

  async applyReceipt(recipientId: string, part: number, state: SmppPartState, errorCode: string | null, at: number): Promise<void> {
    await this.#ctx.write(async (trx) => {
      let q = trx
        .updateTable('smpp_parts')
        .set({ state, error_code: errorCode, receipt_at: at })
        .where('recipient_id', '=', recipientId)
        .where('part', '=', part)
        .where('state', 'not in', FINAL_PART_STATES);
      if (!FINAL_PART_STATES.includes(state)) q = q.where('state', '=', 'submitted');
      await q.execute();
      await trx.updateTable('smpp_messages').set({ last_receipt_at: at }).where('recipient_id', '=', recipientId).execute();
    });
  }

  async finalise(recipientId: string, state: SmppFinalState, at: number): Promise<boolean> {
    return this.#ctx.write(async (trx) => {
      const r = await trx
        .updateTable('smpp_messages')
        .set({ final_state: state, final_at: at })
        .where('recipient_id', '=', recipientId)
        .where('final_state', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    });
  }

  async stalled(before: number, limit: number): Promise<SmppMessageRecord[]> {
    const rows = await this.#ctx.db
      .selectFrom('smpp_messages')
      .selectAll()
      .where('final_state', 'is', null)
      .where('last_receipt_at', 'is not', null)
      .where('last_receipt_at', '<', before)
      .where((eb) =>
        eb(
          eb.selectFrom('smpp_parts as p').select((e) => e.fn.countAll<number>().as('n')).whereRef('p.recipient_id', '=', 'smpp_messages.recipient_id'),
          '=',
          eb.ref('smpp_messages.total'),
        ),
      )
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

  async held(limit: number): Promise<HeldReceipt[]> {
    const rows = await this.#ctx.db
      .selectFrom('smpp_held_receipts')
      .selectAll()
      .where('unmatched_at', 'is', null)
      .orderBy('held_at')
      .limit(limit)
      .execute();
    return rows.map(toHeld);
  }

  async release(id: string): Promise<void> {
    await this.#ctx.write(async (trx) => {
      await trx.deleteFrom('smpp_held_receipts').where('id', '=', id).execute();
    });
  }

  async markUnmatched(id: string, at: number): Promise<void> {
    await this.#ctx.write(async (trx) => {
      await trx.updateTable('smpp_held_receipts').set({ unmatched_at: at }).where('id', '=', id).execute();
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

  async prune(finalBefore: number, openBefore: number): Promise<number> {
    return this.#ctx.write(async (trx) => {
      const old = trx
        .selectFrom('smpp_messages')
        .select('recipient_id')
        .where((eb) => eb.or([eb('final_at', '<', finalBefore), eb.and([eb('final_state', 'is', null), eb('created_at', '<', openBefore)])]));
      await trx.deleteFrom('smpp_parts').where('recipient_id', 'in', old).execute();
      const r = await trx
        .deleteFrom('smpp_messages')
        .where((eb) => eb.or([eb('final_at', '<', finalBefore), eb.and([eb('final_state', 'is', null), eb('created_at', '<', openBefore)])]))
        .executeTakeFirst();
      await trx.deleteFrom('smpp_held_receipts').where('unmatched_at', '<', finalBefore).execute();
      return Number(r.numDeletedRows);
    });
  }
}
