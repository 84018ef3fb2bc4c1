import type { ConsoleFilter, ConsoleRepo, ConsoleSession, OutboundView, ThreadMessage } from '../repos/console.js';
import type { HandsetKind, HandsetRecord } from '../repos/handsets.js';
import type { InboxMessage, UnroutedMo } from '../repos/inbox.js';
import type { DeliveryStatus, SendApi } from '../repos/messages.js';
import { WEBHOOK_JOB_KIND, type DeadLetter } from '../repos/notifications.js';
import type { SqlContext } from './context.js';
import { toUnroutedMo } from './inbox.js';
import { toNotification } from './notifications.js';

export class SqlConsoleRepo implements ConsoleRepo {
  readonly #ctx: SqlContext;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  async createSession(s: ConsoleSession): Promise<void> {
    await this.#ctx.db
      .insertInto('console_sessions')
      .values({ token_hash: s.tokenHash, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt, admin_digest: s.adminDigest })
      .execute();
  }

  async session(tokenHash: string, now: number): Promise<ConsoleSession | undefined> {
    const row = await this.#ctx.db
      .selectFrom('console_sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return { tokenHash: row.token_hash, csrfToken: row.csrf_token, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at), adminDigest: row.admin_digest };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.#ctx.db.deleteFrom('console_sessions').where('token_hash', '=', tokenHash).execute();
  }

  async purgeSessions(now: number): Promise<number> {
    const res = await this.#ctx.db.deleteFrom('console_sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async outbound(filter: ConsoleFilter): Promise<OutboundView[]> {
    const { db } = this.#ctx;
    let q = db.selectFrom('messages').select(['id', 'app_id', 'api', 'sender', 'text', 'encoding', 'segments', 'notify_mode', 'created_at']);
    if (filter.appId !== undefined) q = q.where('app_id', '=', filter.appId);
    if (filter.shortCode !== undefined) q = q.where('sender', '=', filter.shortCode);
    if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
    // Recipient filters as EXISTS on the recipients' (e164, status) index.
    const { number, status } = filter;
    if (number !== undefined || status !== undefined) {
      q = q.where((eb) => {
        let sub = eb.selectFrom('message_recipients').select('message_recipients.id').whereRef('message_recipients.message_id', '=', 'messages.id');
        if (number !== undefined) sub = sub.where('message_recipients.e164', '=', number);
        if (status !== undefined) sub = sub.where('message_recipients.status', '=', status);
        return eb.exists(sub);
      });
    }
    const messages = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    if (messages.length === 0) return [];
    const recipients = await db
      .selectFrom('message_recipients')
      .select(['message_id', 'seq', 'address_original', 'e164', 'status', 'updated_at'])
      .where('message_id', 'in', messages.map((m) => m.id))
      .orderBy('message_id')
      .orderBy('seq')
      .execute();
    const byMessage = new Map<string, OutboundView['recipients'][number][]>();
    for (const r of recipients) {
      const list = byMessage.get(r.message_id) ?? [];
      list.push({ seq: Number(r.seq), addressOriginal: r.address_original, e164: r.e164, status: r.status as DeliveryStatus, updatedAt: Number(r.updated_at) });
      byMessage.set(r.message_id, list);
    }
    return messages.map((m) => ({
      id: m.id,
      appId: m.app_id,
      api: m.api as SendApi,
      sender: m.sender,
      text: m.text,
      encoding: m.encoding,
      segments: Number(m.segments),
      notifyMode: m.notify_mode,
      createdAt: Number(m.created_at),
      recipients: byMessage.get(m.id) ?? [],
    }));
  }

  async inbox(filter: ConsoleFilter): Promise<InboxMessage[]> {
    let q = this.#ctx.db.selectFrom('inbox_messages').select(['id', 'app_id', 'short_code', 'sender', 'text', 'received_at']);
    if (filter.appId !== undefined) q = q.where('app_id', '=', filter.appId);
    if (filter.shortCode !== undefined) q = q.where('short_code', '=', filter.shortCode);
    if (filter.number !== undefined) q = q.where('sender', '=', filter.number);
    if (filter.since !== undefined) q = q.where('received_at', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('received_at', '<', filter.until);
    const rows = await q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((r) => ({ id: r.id, appId: r.app_id, shortCode: r.short_code, sender: r.sender, text: r.text, receivedAt: Number(r.received_at) }));
  }

  async unrouted(filter: ConsoleFilter): Promise<UnroutedMo[]> {
    let q = this.#ctx.db.selectFrom('unrouted_mo').selectAll();
    if (filter.shortCode !== undefined) q = q.where('short_code', '=', filter.shortCode);
    if (filter.number !== undefined) q = q.where('sender', '=', filter.number);
    if (filter.since !== undefined) q = q.where('received_at', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('received_at', '<', filter.until);
    const rows = await q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map(toUnroutedMo);
  }

  async deadLetters(filter: ConsoleFilter): Promise<DeadLetter[]> {
    let q = this.#ctx.db
      .selectFrom('jobs')
      .innerJoin('notifications', 'notifications.id', 'jobs.ref')
      .selectAll('notifications')
      .select(['jobs.attempts', 'jobs.last_error'])
      .where('jobs.state', '=', 'dead')
      .where('jobs.kind', '=', WEBHOOK_JOB_KIND);
    if (filter.appId !== undefined) q = q.where('notifications.app_id', '=', filter.appId);
    if (filter.shortCode !== undefined) q = q.where('notifications.short_code', '=', filter.shortCode);
    if (filter.since !== undefined) q = q.where('notifications.created_at', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('notifications.created_at', '<', filter.until);
    const rows = await q.orderBy('notifications.created_at', 'desc').orderBy('notifications.id').limit(filter.limit).execute();
    return rows.map((r) => ({
      ...toNotification(r),
      attempts: Number(r.attempts),
      lastError: r.last_error,
    }));
  }

  async thread(number: string, limit: number): Promise<ThreadMessage[]> {
    const rows = await this.#ctx.db
      .selectFrom('handset_messages')
      .select(['id', 'number', 'direction', 'peer', 'text', 'encoding', 'segments', 'received_at'])
      .where('number', '=', number)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map((r) => ({
      id: r.id,
      number: r.number,
      direction: r.direction,
      peer: r.peer,
      text: r.text,
      encoding: r.encoding,
      segments: Number(r.segments),
      receivedAt: Number(r.received_at),
    }));
  }

  async recentHandsets(limit: number): Promise<string[]> {
    // The newest rows by primary key, deduplicated here: a bounded read, unlike a GROUP BY over the table.
    const rows = await this.#ctx.db
      .selectFrom('handset_messages')
      .select('number')
      .orderBy('id', 'desc')
      .limit(limit * 20)
      .execute();
    return [...new Set(rows.map((r) => r.number))].slice(0, limit);
  }

  async changedHandsets(limit: number): Promise<HandsetRecord[]> {
    const rows = await this.#ctx.db.selectFrom('handsets').selectAll().orderBy('updated_at', 'desc').orderBy('number').limit(limit).execute();
    return rows.map((r) => ({ number: r.number, online: Number(r.online) === 1, kind: r.kind as HandsetKind }));
  }
}
