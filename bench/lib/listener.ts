import { createServer, type Server } from 'node:http';

/** An app listener on 127.0.0.1 that acks every POST at once and counts them. */
export interface CountingListener {
  readonly url: string;
  count(): number;
  /** Resolves when `n` notifications arrived; the time of the last one. */
  waitFor(n: number, timeoutMs: number): Promise<number>;
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
    waitFor: async (n, timeoutMs) => {
      const end = Date.now() + timeoutMs;
      while (count < n) {
        if (Date.now() > end) throw new Error(`listener got ${count} of ${n} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return last;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
