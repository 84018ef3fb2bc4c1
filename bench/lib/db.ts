import { randomBytes, randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { waitForProgress } from './progress.js';

/**
 * Read-side access to a gateway's store from the bench process, to see how far the work got
 * (counts by status) and to seed large tables in bulk — not through HTTP, which would measure
 * the API instead of what a big store costs.
 */
export interface BenchDb {
  count(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export function openBenchDb(target: { sqliteFile?: string; databaseUrl?: string }): BenchDb {
  if (target.databaseUrl !== undefined) {
    const pool = new pg.Pool({ connectionString: target.databaseUrl, max: 2 });
    return {
      count: async (text, params = []) => {
        const pgText = text.replace(/\?/g, (() => { let i = 0; return () => `$${++i}`; })());
        const res = await pool.query<{ n: string }>(pgText, params);
        return Number(res.rows[0]?.n ?? 0);
      },
      close: () => pool.end(),
    };
  }
  const db = new BetterSqlite3(target.sqliteFile ?? '', { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return {
    count: async (text, params = []) => Number((db.prepare(text).get(...params) as { n: number }).n),
    close: async () => {
      db.close();
    },
  };
}

/** Recipients the simulated network has delivered. */
export const DELIVERED = "select count(*) as n from message_recipients where status = 'DeliveredToTerminal'";

/**
 * Waits until `sql` counts at least `n` (giving up when the count has not grown for `stallMs`);
 * returns the time (performance.now) it got there. Counting a large table costs the machine CPU:
 * poll it less often (`everyMs`).
 */
export async function waitForCount(db: BenchDb, sql: string, n: number, stallMs: number, everyMs = 25): Promise<number> {
  await waitForProgress(() => db.count(sql), n, stallMs, sql, everyMs);
  return performance.now();
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * Seeds `total` delivered messages (one recipient each) for `appId`, in large transactions, as a
 * long-running gateway's store would hold them. Returns the ids of a sample of them.
 */
export function seedSqliteMessages(file: string, appId: string, sender: string, total: number): string[] {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const now = Date.now();
  const insertMessage = db.prepare(
    `insert into messages (id, app_id, api, sender, text, encoding, segments, notify_mode, notify_url, callback_data, created_at, status_expires_at, status_consumed)
     values (?, ?, 'att-v3', ?, 'seeded message', 'GSM7', 1, 'none', null, null, ?, null, 0)`,
  );
  const insertRecipient = db.prepare(
    `insert into message_recipients (id, message_id, seq, address_original, e164, status, network_id, final_at, updated_at)
     values (?, ?, 0, 'tel:+14255550100', '+14255550100', 'DeliveredToNetwork', ?, null, ?)`,
  );
  const sample: string[] = [];
  const batch = db.transaction((n: number, offset: number) => {
    for (let i = 0; i < n; i++) {
      const id = `SMS${hex(8)}`;
      insertMessage.run(id, appId, sender, now - (total - offset - i));
      insertRecipient.run(randomUUID(), id, hex(8), now);
      if ((offset + i) % Math.max(1, Math.floor(total / 1000)) === 0) sample.push(id);
    }
  });
  for (let done = 0; done < total; done += 50_000) batch(Math.min(50_000, total - done), done);
  db.close();
  return sample;
}
