import autocannon from 'autocannon';

export interface LoadResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly seconds: number;
}

/** Keep-alive HTTP load from this process with autocannon, for a duration or a fixed count. */
export async function load(options: {
  url: string;
  connections: number;
  durationS?: number;
  amount?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: { method?: string; path?: string; body?: string }[];
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    method: options.method ?? 'POST',
    headers: options.headers,
    body: options.body,
    ...(options.requests !== undefined ? { requests: options.requests } : {}),
    timeout: 30,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS ?? 10 }),
  });
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    requests: result['2xx'],
    perSecond: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds,
  };
}

export const sendBody = (to: string, text = 'Switchboard bench: hello from the load generator') =>
  JSON.stringify({ outboundSMSRequest: { address: `tel:${to}`, message: text } });
