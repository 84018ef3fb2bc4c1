import {
  CompiledQuery,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type SqliteDialectConfig,
} from 'kysely';
import type { WalFlusher } from './wal-flusher.js';

/**
 * Kysely's SQLite dialect as the store runs it.
 *
 * Every transaction begins IMMEDIATE, taking the write lock first: a deferred one that reads
 * before it writes cannot wait for the lock when another process holds it (SQLite only runs the
 * busy handler for a connection outside a transaction, to rule out deadlocks) and fails at once
 * with SQLITE_BUSY. Another process does write beside the gateway: the CLI's store commands. With
 * a deferred begin, `switchboard app create` beside a running gateway made its token requests
 * answer 500 ("database is locked"), and the gateway's writes could fail the CLI's. The gateway
 * writes in every transaction it opens, so taking the lock first costs it nothing.
 *
 * With a WalFlusher, the connection, when handed back after a write, waits for the write to be on
 * disk (see WalFlusher). The wait happens after the connection is released, so other queries run
 * while the disk syncs.
 */
export class StoreSqliteDialect extends SqliteDialect {
  readonly #flusher: WalFlusher | undefined;

  constructor(config: SqliteDialectConfig, flusher?: WalFlusher) {
    super(config);
    this.#flusher = flusher;
  }

  override createDriver(): Driver {
    return new StoreDriver(super.createDriver(), this.#flusher);
  }
}

class StoreDriver implements Driver {
  readonly #inner: Driver;
  readonly #flusher: WalFlusher | undefined;

  constructor(inner: Driver, flusher: WalFlusher | undefined) {
    this.#inner = inner;
    this.#flusher = flusher;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.#inner.acquireConnection();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.releaseSavepoint?.(connection, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection(connection);
    await this.#flusher?.flushIfDirty();
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
