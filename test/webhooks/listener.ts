import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test listener received. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** What the listener answers: a status, optionally after a delay. */
export type Answer = number | { readonly status: number; readonly delayMs?: number };

export interface TestListener {
  /** `http://127.0.0.1:<port>` + the path given. */
  readonly url: string;
  readonly origin: string;
  readonly received: Received[];
  /** Resolves once `count` requests arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  /** Requests being answered right now (for concurrency checks). */
  readonly inFlight: () => number;
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

/**
 * A real HTTP listener on 127.0.0.1:0 that records every request and answers with `answer(r, i)`
 * (i = 0 for the first request). Default: 200.
 */
export async function startListener(answer: (r: Received, index: number) => Answer = () => 200, path = '/listener'): Promise<TestListener> {
  const received: Received[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const index = received.length;
      received.push(r);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const a = answer(r, index);
      const { status, delayMs = 0 } = typeof a === 'number' ? { status: a } : a;
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
        for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin + path,
    origin,
    received,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    waitFor: (count, timeoutMs = 30_000) =>
      new Promise<Received[]>((resolve, reject) => {
        if (received.length >= count) return resolve(received);
        const timer = setTimeout(() => reject(new Error(`listener got ${received.length} of ${count} requests in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
