import { createHash } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type {
  InboxMessage,
  InboxRepo,
  IncomingMo,
  MoDisposition,
  MoPartRecord,
  PartOutcome,
  PartSet,
  PartSetHandler,
  UnroutedMo,
  UnroutedReason,
} from '../repos/inbox.js';
import { WEBHOOK_JOB_KIND } from '../repos/notifications.js';
import type { Database, InboxMessagesTable, MoPartsTable, UnroutedMoTable } from '../schema.js';
import { insertRowsInOneStatement } from './accept-postgres.js';
import { coalescedWrites, type Coalescer } from './coalesce.js';
import type { SqlContext } from './context.js';
import { jobRows } from './jobs.js';
import { insertNotification, notificationJob, notificationRow } from './notifications.js';
import { inboundSubscriptions } from './subscriptions.js';

/** A stored part; `known`: its bytes already reached the app or the operator (MoPartsTable). */
type StoredPart = MoPartRecord & { readonly known: boolean };

function toPart(row: MoPartsTable): StoredPart {
  return {
    source: row.source,
    destination: row.destination,
    reference: Number(row.reference),
    total: Number(row.total),
    seq: Number(row.seq),
    payload: Buffer.from(row.payload, 'hex'),
    dataCoding: Number(row.data_coding),
    receivedAt: Number(row.received_at),
    known: Number(row.known) === 1,
  };
}

interface PartSetKey {
  readonly source: string;
  readonly destination: string;
  readonly reference: number;
  readonly total: number;
}

/** The parts of one set. */
function inSet(set: PartSetKey) {
  return (eb: ExpressionBuilder<Database, 'mo_parts'>) =>
    eb.and([eb('source', '=', set.source), eb('destination', '=', set.destination), eb('reference', '=', set.reference), eb('total', '=', set.total)]);
}

/*
 * A part already assembled into a message is remembered (its tombstone) by its content, not just
 * its number: a network redelivering a part it thinks we missed sends the same bytes, while a new
 * long message that happens to reuse the 8-bit reference must not be dropped. Its parts differ
 * from the earlier message's somewhere, but not necessarily everywhere (a fixed first part), so
 * one matching a tombstone is still stored (`known`) and counts toward its set.
 */
function partKey(part: MoPartRecord): string {
  const content = createHash('sha256').update(String(part.dataCoding)).update(':').update(part.payload).digest('hex').slice(0, 32);
  return `part:${part.source}:${part.destination}:${part.reference}:${part.total}:${part.seq}:${content}`;
}

async function route(trx: Transaction<Database>, mo: IncomingMo, disposition: MoDisposition): Promise<void> {
  switch (disposition.kind) {
    case 'inbox':
      await trx.insertInto('inbox_messages').values(inboxRow(mo, disposition.appId, disposition.expiresAt)).execute();
      return;
    case 'notify':
      await insertNotification(trx, disposition.notification);
      return;
    case 'unrouted':
      await insertUnrouted(trx, mo, disposition.reason);
      return;
  }
}

function inboxRow(mo: IncomingMo, appId: string, expiresAt: number): InboxMessagesTable {
  return { id: mo.id, app_id: appId, short_code: mo.to, sender: mo.from, text: mo.text, received_at: mo.receivedAt, expires_at: expiresAt };
}

function unroutedRow(mo: IncomingMo, reason: UnroutedReason): UnroutedMoTable {
  return { id: mo.id, short_code: mo.to, sender: mo.from, text: mo.text, reason, received_at: mo.receivedAt };
}

async function insertUnrouted(trx: Transaction<Database>, mo: IncomingMo, reason: UnroutedReason): Promise<void> {
  await trx.insertInto('unrouted_mo').values(unroutedRow(mo, reason)).execute();
}

/**
 * Gives up on the set `part` displaces: what it holds goes to the unrouted table, and stays,
 * known, in case the new message has the same bytes there; it ages with the new set.
 */
async function giveUp(trx: Transaction<Database>, part: MoPartRecord, handler: PartSetHandler): Promise<void> {
  const parts = (await trx.selectFrom('mo_parts').selectAll().where(inSet(part)).orderBy('seq').execute()).map(toPart);
  await insertUnrouted(trx, handler.message(parts), 'incomplete');
  await trx.updateTable('mo_parts').set({ known: 1, received_at: part.receivedAt }).where(inSet(part)).execute();
}

/** Inserts a dedup key unless an unexpired one exists; false when it did (a repeat). */
async function remember(trx: Transaction<Database>, key: string, now: number, until: number): Promise<boolean> {
  await trx.deleteFrom('mo_seen').where('key', '=', key).where('expires_at', '<=', now).execute();
  const res = await trx
    .insertInto('mo_seen')
    .values({ key, expires_at: until })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** PostgreSQL: MO messages without a dedup key, routed by one statement for the batch (see coalesce.ts). */
async function routeMany(db: Kysely<Database>, batch: readonly { readonly mo: IncomingMo; readonly disposition: MoDisposition }[]): Promise<void> {
  const inbox = [];
  const notifications = [];
  const unrouted = [];
  for (const { mo, disposition: d } of batch) {
    if (d.kind === 'inbox') inbox.push(inboxRow(mo, d.appId, d.expiresAt));
    else if (d.kind === 'notify') notifications.push(d.notification);
    else unrouted.push(unroutedRow(mo, d.reason));
  }
  await insertRowsInOneStatement(db, [
    ['inbox_messages', inbox],
    ['notifications', notifications.map(notificationRow)],
    ['jobs', notifications.flatMap((n) => jobRows([notificationJob(n)], n.createdAt))],
    ['unrouted_mo', unrouted],
  ]);
}

export class SqlInboxRepo implements InboxRepo {
  readonly #ctx: SqlContext;
  readonly #routes: Coalescer<{ mo: IncomingMo; disposition: MoDisposition }, undefined> | undefined;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      this.#routes = coalescedWrites((batch) => routeMany(ctx.db, batch));
    }
  }

  async record(mo: IncomingMo, disposition: MoDisposition, dedup?: { key: string; until: number }): Promise<boolean> {
    // Without a dedup key the message is a few inserts that need no transaction of their own.
    if (dedup === undefined && this.#routes !== undefined) {
      await this.#routes.call({ mo, disposition });
      return true;
    }
    return this.#ctx.write(async (trx) => {
      if (dedup !== undefined && !(await remember(trx, `mo:${dedup.key}`, mo.receivedAt, dedup.until))) return false;
      await route(trx, mo, disposition);
      return true;
    });
  }

  fromDeadLetter(appId: string, mo: IncomingMo, expiresAt: number): Promise<boolean> {
    return this.#ctx.write(async (trx) => {
      const owned = await trx.selectFrom('notifications').select('id').where('id', '=', mo.id).where('app_id', '=', appId).executeTakeFirst();
      if (owned === undefined) return false;
      // Still dead: a replay or the dead-letter sweep may have taken it since it was read.
      const taken = await trx.deleteFrom('jobs').where('kind', '=', WEBHOOK_JOB_KIND).where('ref', '=', mo.id).where('state', '=', 'dead').executeTakeFirst();
      if (taken.numDeletedRows === 0n) return false;
      await trx.deleteFrom('notifications').where('id', '=', mo.id).execute();
      await trx.insertInto('inbox_messages').values(inboxRow(mo, appId, expiresAt)).execute();
      return true;
    });
  }

  addPart(part: MoPartRecord, tombstoneUntil: number, handler: PartSetHandler): Promise<PartOutcome> {
    return this.#ctx.write(async (trx): Promise<PartOutcome> => {
      await this.#lockSet(trx, part);
      const payload = Buffer.from(part.payload).toString('hex');
      const tombstone = await trx
        .selectFrom('mo_seen')
        .select('key')
        .where('key', '=', partKey(part))
        .where('expires_at', '>', part.receivedAt)
        .executeTakeFirst();
      // Stored even so: a new message reusing the reference may start with the same bytes.
      const known = tombstone !== undefined;
      const thisPart = (eb: ExpressionBuilder<Database, 'mo_parts'>) => eb.and([inSet(part)(eb), eb('seq', '=', part.seq)]);
      const held = await trx.selectFrom('mo_parts').select(['payload', 'data_coding', 'known']).where(thisPart).executeTakeFirst();
      if (held !== undefined && held.payload === payload && Number(held.data_coding) === part.dataCoding) {
        if (Number(held.known) === 1 && !known) await trx.updateTable('mo_parts').set({ known: 0 }).where(thisPart).execute();
        return { state: 'duplicate' };
      }
      if (held !== undefined) {
        // Other bytes under the same number: a new message reusing the reference, the set before
        // it left incomplete. Spliced together they would make neither.
        if (Number(held.known) === 0) await giveUp(trx, part, handler);
        await trx.deleteFrom('mo_parts').where(thisPart).execute();
      }
      await trx
        .insertInto('mo_parts')
        .values({
          source: part.source,
          destination: part.destination,
          reference: part.reference,
          total: part.total,
          seq: part.seq,
          payload,
          data_coding: part.dataCoding,
          received_at: part.receivedAt,
          known: known ? 1 : 0,
        })
        .execute();

      const { have } = await trx
        .selectFrom('mo_parts')
        .select((eb) => eb.fn.countAll<number>().as('have'))
        .where(inSet(part))
        .executeTakeFirstOrThrow();
      if (Number(have) < part.total) return known ? { state: 'duplicate' } : { state: 'waiting', have: Number(have) };

      const parts = (await trx.selectFrom('mo_parts').selectAll().where(inSet(part)).orderBy('seq').execute()).map(toPart);
      await trx.deleteFrom('mo_parts').where(inSet(part)).execute();
      await trx
        .insertInto('mo_seen')
        .values(parts.map((p) => ({ key: partKey(p), expires_at: tombstoneUntil })))
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') })))
        .execute();
      // Every part was a repeat: the network sent an assembled message again.
      if (parts.every((p) => p.known)) return { state: 'duplicate' };
      const mo = handler.message(parts);
      // Only now is the first word known.
      const subscriptions = await inboundSubscriptions(trx, mo.to, handler.keywords(mo));
      const result = { mo, disposition: handler.route(mo, subscriptions) };
      await route(trx, result.mo, result.disposition);
      return { state: 'complete', result };
    });
  }

  /**
   * PostgreSQL: parts of one set stored at once by concurrent transactions would each count the
   * set before the others commit (and none complete it), or look for a repeat's tombstone before
   * the completing one commits it; a transaction lock per set makes them take turns. SQLite runs
   * one writer anyway.
   */
  async #lockSet(trx: Transaction<Database>, set: PartSet): Promise<void> {
    if (this.#ctx.dialect !== 'postgres') return;
    const key = `mo-parts:${set.source}:${set.destination}:${set.reference}:${set.total}`;
    await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
  }

  take(appId: string, shortCode: string, limit: number, now: number): Promise<{ messages: InboxMessage[]; pending: number }> {
    return this.#ctx.write(async (trx) => {
      let batch = trx
        .selectFrom('inbox_messages')
        .selectAll()
        .where('short_code', '=', shortCode)
        .where('app_id', '=', appId)
        .where('expires_at', '>', now)
        .orderBy('received_at')
        .orderBy('id')
        .limit(limit);
      // SQLite has one writer, so select-then-delete in one transaction cannot hand a message out
      // twice; on PostgreSQL a concurrent poll skips the rows this one locked.
      if (this.#ctx.dialect === 'postgres') batch = batch.forUpdate().skipLocked();
      const rows = await batch.execute();
      if (rows.length > 0) {
        await trx
          .deleteFrom('inbox_messages')
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
      }
      const { pending } = await trx
        .selectFrom('inbox_messages')
        .select((eb) => eb.fn.countAll<number>().as('pending'))
        .where('short_code', '=', shortCode)
        .where('app_id', '=', appId)
        .where('expires_at', '>', now)
        .executeTakeFirstOrThrow();
      return {
        messages: rows.map((r) => ({
          id: r.id,
          appId: r.app_id,
          shortCode: r.short_code,
          sender: r.sender,
          text: r.text,
          receivedAt: Number(r.received_at),
        })),
        pending: Number(pending),
      };
    });
  }

  purge(now: number): Promise<number> {
    return this.#ctx.write(async (trx) => {
      const res = await trx.deleteFrom('inbox_messages').where('expires_at', '<=', now).executeTakeFirst();
      await trx.deleteFrom('mo_seen').where('expires_at', '<=', now).execute();
      return Number(res.numDeletedRows);
    });
  }

  async expiredPartSets(startedBefore: number, limit: number): Promise<PartSet[]> {
    const rows = await this.#ctx.db
      .selectFrom('mo_parts')
      .select(['source', 'destination', 'reference', 'total'])
      .groupBy(['source', 'destination', 'reference', 'total'])
      .having((eb) => eb.fn.min('received_at'), '<', startedBefore)
      .orderBy((eb) => eb.fn.min('received_at'))
      .limit(limit)
      .execute();
    return rows.map((r) => ({ source: r.source, destination: r.destination, reference: Number(r.reference), total: Number(r.total) }));
  }

  expirePartSet(set: PartSet, decode: (parts: readonly MoPartRecord[]) => string, newId: () => string): Promise<boolean> {
    return this.#ctx.write(async (trx) => {
      await this.#lockSet(trx, set);
      const where = trx
        .selectFrom('mo_parts')
        .where('source', '=', set.source)
        .where('destination', '=', set.destination)
        .where('reference', '=', set.reference)
        .where('total', '=', set.total);
      const parts = (await where.selectAll().orderBy('seq').execute()).map(toPart);
      // Completed (and so deleted) since the scan: nothing to expire.
      if (parts.length === 0) return false;
      await trx
        .deleteFrom('mo_parts')
        .where('source', '=', set.source)
        .where('destination', '=', set.destination)
        .where('reference', '=', set.reference)
        .where('total', '=', set.total)
        .execute();
      // Only repeats of what the app or the operator already has: nothing to tell.
      if (parts.every((p) => p.known)) return false;
      const first = parts[0] as MoPartRecord;
      await insertUnrouted(trx, { id: newId(), from: first.source, to: first.destination, text: decode(parts), receivedAt: first.receivedAt }, 'incomplete');
      return true;
    });
  }

  async unrouted(limit: number): Promise<UnroutedMo[]> {
    const rows = await this.#ctx.db.selectFrom('unrouted_mo').selectAll().orderBy('received_at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map(toUnroutedMo);
  }

  async sweepUnrouted(before: number, limit: number): Promise<number> {
    return this.#ctx.write(async (trx) => {
      const res = await trx
        .deleteFrom('unrouted_mo')
        .where('id', 'in', (eb) => eb.selectFrom('unrouted_mo').select('id').where('received_at', '<', before).limit(limit))
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }
}

export function toUnroutedMo(r: UnroutedMoTable): UnroutedMo {
  return {
    id: r.id,
    shortCode: r.short_code,
    sender: r.sender,
    text: r.text,
    reason: r.reason as UnroutedReason,
    receivedAt: Number(r.received_at),
  };
}
