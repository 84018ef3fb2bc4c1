import type { Database as BetterSqlite3Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * The better-sqlite3 database as Kysely sees it, with prepared statements kept by SQL text.
 * Kysely prepares every query afresh, which cost about an eighth of the gateway's CPU on the send
 * path; our queries are a small fixed set, so the cache stays small. It is cleared on overflow
 * rather than evicted one by one: only unusual SQL (IN lists of many sizes) can fill it.
 */
export function withStatementCache(database: BetterSqlite3Database, max = 1000): SqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement === undefined) {
        if (cache.size >= max) cache.clear();
        statement = database.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
