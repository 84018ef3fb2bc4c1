import type { SimSmscMessage, SimSmscPart, SimSmscRepo } from '../repos/sim-smsc.js';
import type { SimSmscMessagesTable, SimSmscPartsTable } from '../schema.js';
import { writeOne, type SqlContext } from './context.js';
import { prepared } from './prepared.js';

function toPart(row: SimSmscPartsTable): SimSmscPart {
  return {
    setKey: row.set_key,
    seq: Number(row.seq),
    total: Number(row.total),
    messageId: row.message_id,
    registeredDelivery: Number(row.registered_delivery),
    dataCoding: Number(row.data_coding),
    payload: Buffer.from(row.payload, 'base64'),
    createdAt: Number(row.created_at),
  };
}

const insertMessage = prepared((db, m: SimSmscMessagesTable) =>
  db.insertInto('sim_smsc_messages').values({
    ref: m.ref,
    system_id: m.system_id,
    parts: m.parts,
    source: m.source,
    destination: m.destination,
    preview: m.preview,
    submitted_at: m.submitted_at,
  }),
);

const messageByRef = prepared((db, v: { ref: string }) => db.selectFrom('sim_smsc_messages').selectAll().where('ref', '=', v.ref));

export class SqlSimSmscRepo implements SimSmscRepo {
  readonly #ctx: SqlContext;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  async addPart(part: SimSmscPart): Promise<SimSmscPart[]> {
    const values = {
      total: part.total,
      message_id: part.messageId,
      registered_delivery: part.registeredDelivery,
      data_coding: part.dataCoding,
      payload: Buffer.from(part.payload).toString('base64'),
      created_at: part.createdAt,
    };
    return this.#ctx.write(async (trx) => {
      await trx
        .insertInto('sim_smsc_parts')
        .values({ set_key: part.setKey, seq: part.seq, ...values })
        .onConflict((oc) => oc.columns(['set_key', 'seq']).doUpdateSet(values))
        .execute();
      const rows = await trx.selectFrom('sim_smsc_parts').selectAll().where('set_key', '=', part.setKey).orderBy('seq').execute();
      return rows.map(toPart);
    });
  }

  async dropSet(setKey: string): Promise<void> {
    await this.#ctx.write(async (trx) => {
      await trx.deleteFrom('sim_smsc_parts').where('set_key', '=', setKey).execute();
    });
  }

  async recordMessage(m: SimSmscMessage): Promise<void> {
    await writeOne(this.#ctx, (db) =>
      insertMessage(db, {
        ref: m.ref,
        system_id: m.systemId,
        parts: JSON.stringify(m.parts),
        source: m.source,
        destination: m.destination,
        preview: m.preview,
        submitted_at: m.submittedAt,
      }),
    );
  }

  async forgetMessage(ref: string): Promise<void> {
    await this.#ctx.write(async (trx) => {
      await trx.deleteFrom('sim_smsc_messages').where('ref', '=', ref).execute();
    });
  }

  async message(ref: string): Promise<SimSmscMessage | undefined> {
    const [row] = (await messageByRef(this.#ctx.db, { ref })).rows;
    if (row === undefined) return undefined;
    return {
      ref: row.ref,
      systemId: row.system_id,
      parts: JSON.parse(row.parts) as SimSmscMessage['parts'],
      source: row.source,
      destination: row.destination,
      preview: row.preview,
      submittedAt: Number(row.submitted_at),
    };
  }

  async prune({ partsBefore, messagesBefore }: { readonly partsBefore: number; readonly messagesBefore: number }): Promise<number> {
    return this.#ctx.write(async (trx) => {
      const a = await trx.deleteFrom('sim_smsc_parts').where('created_at', '<', partsBefore).executeTakeFirst();
      const b = await trx.deleteFrom('sim_smsc_messages').where('submitted_at', '<', messagesBefore).executeTakeFirst();
      return Number(a.numDeletedRows) + Number(b.numDeletedRows);
    });
  }
}
