import {
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';
import type { WalFlusher } from './wal-flusher.js';

/**
 * Kysely's SQLite dialect whose connection, when handed back after a write, waits for the write
 * to be on disk (see WalFlusher). The wait happens after the connection is released, so other
 * queries run while the disk syncs.
 */
export class DurableSqliteDialect extends SqliteDialect {
  readonly #flusher: WalFlusher;

  constructor(config: SqliteDialectConfig, flusher: WalFlusher) {
    super(config);
    this.#flusher = flusher;
  }

  override createDriver(): Driver {
    return new DurableDriver(super.createDriver(), this.#flusher);
  }
}

class DurableDriver implements Driver {
  readonly #inner: Driver;
  readonly #flusher: WalFlusher;

  constructor(inner: Driver, flusher: WalFlusher) {
    this.#inner = inner;
    this.#flusher = flusher;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.#inner.acquireConnection();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
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
    await this.#flusher.flushIfDirty();
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
