import { createServer, type Server } from 'node:http';
import { waitForProgress } from './progress.js';

/** An app listener on 127.0.0.1 that acks every POST at once and counts them. */
export interface CountingListener {
  readonly url: string;
  count(): number;
  /** Resolves when `n` notifications arrived, with the time of the last one; rejects when none came for `stallMs`. */
  waitFor(n: number, stallMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startListener(): Promise<CountingListener> {
  let count = 0;
  let last = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      last = performance.now();
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    count: () => count,
    waitFor: async (n, stallMs) => {
      await waitForProgress(() => count, n, stallMs, 'notifications at the listener', 20);
      return last;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
