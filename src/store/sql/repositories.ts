import type { Repositories } from '../store.js';
import type { SqlContext } from './context.js';
import { SqlJobRepo } from './jobs.js';

/** Builds every repository over one engine's Kysely instance. */
export function createRepositories(ctx: SqlContext): Repositories {
  return {
    jobs: new SqlJobRepo(ctx),
  };
}
