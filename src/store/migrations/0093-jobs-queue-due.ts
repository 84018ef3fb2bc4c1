import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The listener claim reads each listener's oldest due webhook jobs by their queue, however long
 * the backlogs of busy listeners due before them (sql/listener-claim.ts): an index of the jobs
 * that have a queue (only webhook jobs do) by queue, in due order. Kind follows the queue so that
 * SQLite, which keeps no statistics here, prefers this index to `jobs_due_order` for a queue's jobs.
 */
export const jobsQueueDue: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('jobs_queue_due')
      .on('jobs')
      .columns(['state', 'queue', 'kind', 'run_at', 'created_at'])
      .where(sql.ref('queue'), 'is not', null)
      .execute();
  },
};
