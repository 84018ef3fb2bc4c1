import { connect } from 'node:net';
import type { TestGateway } from './gateway.js';

export interface RawAnswer {
  readonly status: number;
  /** The status line and headers, in lower case. */
  readonly headers: string;
  readonly body: string;
}

/**
 * Writes `raw` to `to` on a fresh connection (a list: one write each, 100 ms apart) and reads
 * everything until the gateway hangs up: for requests Node's HTTP parser refuses, which no HTTP
 * client sends.
 */
export function sendRaw(to: TestGateway, raw: string | readonly string[]): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(to.gateway.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer still ends the exchange: 'close' follows 'error'.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      // The body runs to the end: an answer to a pipelined request comes after it.
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      const body = end < 0 ? '' : text.slice(end + 4);
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
      if (Number.isNaN(status)) reject(new Error(`no HTTP answer: ${JSON.stringify(text)}`));
      else resolve({ status, headers: head.toLowerCase(), body });
    });
    void (async () => {
      for (const [i, part] of (typeof raw === 'string' ? [raw] : raw).entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        socket.write(Buffer.from(part, 'latin1'));
      }
    })();
  });
}
