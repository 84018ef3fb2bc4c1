import type { JobRepo } from './repos/jobs.js';

/**
 * The one way the domain reaches data. Each area is a repository with its own interface in
 * `store/repos/`; `store/sql/` implements them once over Kysely, and `store/sqlite/` (and later
 * `store/postgres/`) supply the engine. Callers never ask which engine they have.
 */
export interface Repositories {
  readonly jobs: JobRepo;
}

export interface Store extends Repositories {
  readonly engine: 'sqlite' | 'postgres';
  /** Runs pending migrations; safe to call at every start. */
  migrate(): Promise<void>;
  /** Throws when the database does not answer (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
