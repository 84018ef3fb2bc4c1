import type { FastifyInstance } from 'fastify';

/**
 * The HTTP requests this process has taken in and not answered yet. Background job runners ask
 * it whether clients are waiting (see RunnerOptions.foreground), so during a burst the requests
 * get the CPU first and the jobs behind them are claimed in full batches.
 */
export class RequestsWaiting {
  #count = 0;

  get count(): number {
    return this.#count;
  }

  busy(): boolean {
    return this.#count > 0;
  }

  /**
   * Counts every request from `onRequest` until its response closes: 'close' comes once whether
   * the answer was sent or the client went away, so the count cannot drift.
   */
  watch(app: FastifyInstance): void {
    app.addHook('onRequest', (_request, reply, done) => {
      this.#count += 1;
      reply.raw.once('close', () => {
        this.#count -= 1;
      });
      done();
    });
  }
}
