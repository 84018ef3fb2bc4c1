import type { Database as BetterSqlite3Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * The better-sqlite3 database as Kysely sees it, with prepared statements kept by SQL text.
 * Kysely prepares every query afresh, which cost about an eighth of the gateway's CPU on the send
 * path; our queries are a small fixed set, so the cache stays small. It is cleared on overflow
 * rather than evicted one by one: only unusual SQL (IN lists of many sizes) can fill it.
 * `onWrite` hears of every statement that may write, so the store knows a sync is owed; such
 * statements are cached as `guardWrite` makes them (see disk-full.ts).
 */
export function withStatementCache(
  database: BetterSqlite3Database,
  onWrite: () => void,
  guardWrite: (statement: Statement) => SqliteStatement = (statement) => statement,
  max = 1000,
): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement === undefined) {
        if (cache.size >= max) cache.clear();
        const prepared = database.prepare(sql);
        statement = prepared.reader ? prepared : guardWrite(prepared);
        cache.set(sql, statement);
      }
      // Kysely prepares right before it runs, so a statement that is not a reader is a write.
      if (!statement.reader) onWrite();
      return statement;
    },
  };
}
