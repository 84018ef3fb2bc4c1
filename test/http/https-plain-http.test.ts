/**
 * A plain http:// request to the HTTPS port (SWITCHBOARD_TLS_CERT) is answered 400 with the
 * https:// URL to use, as nginx answers it, and the connection closed: it got no answer at all
 * ("Empty reply from server"). TLS clients are unaffected, whatever way their ClientHello comes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { Duplex, Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { createLogger } from '../../src/logger.js';
import { answerPlainHttp } from '../../src/http/plain-http.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { sendRaw } from '../helpers/raw-http.js';
import { repoFile } from '../helpers/root.js';

const fixture = (name: string) => readFileSync(repoFile(`test/fixtures/tls/${name}`));
const ca = fixture('localhost.crt');

/** A gateway serving HTTPS with the test certificate, and the log lines it writes. */
async function httpsGateway(t: { after(fn: () => Promise<void>): void }): Promise<{ gw: TestGateway; lines: Array<Record<string, any>> }> {
  // Log lines are JSON objects of any shape.
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  const gw = await startTestGateway(
    { SWITCHBOARD_TLS_CERT: repoFile('test/fixtures/tls/localhost.crt'), SWITCHBOARD_TLS_KEY: repoFile('test/fixtures/tls/localhost.key') },
    { logger: createLogger('info', sink) },
  );
  t.after(() => gw.close());
  return { gw, lines };
}

/** GET `path` over TLS with `agent`: the status, the body, and whether the connection was an earlier one's. */
function getOverTls(port: number, path: string, agent: Agent): Promise<{ status: number; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername: 'localhost', ca, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (body += part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a plain HTTP request to the HTTPS port gets 400 with the https:// URL to use; HTTPS on the same port goes on, kept alive', async (t) => {
  const { gw, lines } = await httpsGateway(t);
  const port = gw.gateway.port;

  const plain = await sendRaw(gw, `GET /sms/v3/messaging/inbox/22627000?count=2 HTTP/1.1\r\nHost: localhost:${port}\r\nAccept: application/json\r\n\r\n`);
  assert.equal(plain.status, 400);
  assert.match(plain.headers, /\r\nconnection: close(\r\n|$)/);
  assert.match(plain.headers, /\r\ncontent-type: text\/plain; charset=utf-8(\r\n|$)/);
  assert.match(plain.body, new RegExp(`use https://localhost:${port}/sms/v3/messaging/inbox/22627000\\?count=2\\n$`));

  // Every surface of the port answers alike: the connection is refused before any route.
  for (const path of ['/oauth/v4/token', '/admin/v1/apps', '/console/', '/sim/v1/handsets/14255550100/messages']) {
    const answer = await sendRaw(gw, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\n\r\n`);
    assert.equal(answer.status, 400, path);
    assert.match(answer.body, new RegExp(`use https://127\\.0\\.0\\.1:${port}${path}\\n$`), path);
  }

  // A Host (or path) that cannot go into a URL as it is is not echoed.
  const odd = await sendRaw(gw, 'GET /x HTTP/1.1\r\nHost: <script>alert(1)</script>\r\n\r\n');
  assert.equal(odd.status, 400);
  assert.equal(odd.body, 'This port speaks HTTPS only, and the request came as plain HTTP: use https:// instead of http://\n');
  const oddPath = await sendRaw(gw, `GET /"><b> HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`);
  assert.match(oddPath.body, new RegExp(`use https://localhost:${port}\\n$`));

  // One info line per refused connection, with the peer; the query's secrets masked as in the access log.
  const refusals = lines.filter((line) => line.msg === 'plain HTTP request to the HTTPS port');
  assert.equal(refusals.length, 7);
  assert.equal(refusals[0]?.level, 30);
  assert.deepEqual(refusals[0]?.res, { statusCode: 400 });
  assert.equal(refusals[0]?.req.remoteAddress, '127.0.0.1');
  assert.equal(refusals[0]?.req.method, 'GET');
  assert.equal(refusals[0]?.req.url, '/sms/v3/messaging/inbox/22627000?count=2');
  assert.ok(lines.every((line) => line.err === undefined && line.stack === undefined), 'no stack traces');

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const first = await getOverTls(port, '/healthz', agent);
  assert.equal(first.status, 200, first.body);
  const second = await getOverTls(port, '/metrics', agent);
  assert.equal(second.status, 200);
  assert.equal(second.reused, true, 'the TLS connection is kept alive');
  assert.match(second.body, /switchboard_http_requests_total\{method="GET",route="unmatched",status="400"\} 3\n/);
  assert.match(second.body, /switchboard_http_requests_total\{method="POST",route="unmatched",status="400"\} 4\n/);

  // The kept-alive TLS connection, idle, does not hold the graceful stop.
  const stopping = Date.now();
  await gw.gateway.close();
  assert.ok(Date.now() - stopping < 5_000, `stopped after ${Date.now() - stopping} ms`);
});

test('over TLS, a request that stops coming is still cut off by SWITCHBOARD_REQUEST_TIMEOUT_MS (408)', async (t) => {
  const gw = await startTestGateway({
    SWITCHBOARD_TLS_CERT: repoFile('test/fixtures/tls/localhost.crt'),
    SWITCHBOARD_TLS_KEY: repoFile('test/fixtures/tls/localhost.key'),
    SWITCHBOARD_REQUEST_TIMEOUT_MS: '500',
  });
  t.after(() => gw.close());
  const started = Date.now();
  const tls = tlsConnect({ host: '127.0.0.1', port: gw.gateway.port, servername: 'localhost', ca });
  await new Promise((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
  tls.on('error', () => undefined);
  tls.write('POST /oauth/v4/token HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 200\r\n\r\ngrant_type=');
  let answer = '';
  tls.on('data', (part: Buffer) => (answer += part.toString('latin1')));
  await new Promise((resolve) => tls.once('close', resolve));
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.ok(Date.now() - started < 10_000, `cut after ${Date.now() - started} ms`);
});

test('a connection that sends nothing, or stalls in its TLS handshake, does not hold a graceful stop past SWITCHBOARD_REQUEST_TIMEOUT_MS', { timeout: 60_000 }, async (t) => {
  // Node's HTTP layer knows a connection only once its handshake is done: the stop waited for such
  // ones until TLS's own 120 s limit cut them off.
  const gw = await startTestGateway({
    SWITCHBOARD_TLS_CERT: repoFile('test/fixtures/tls/localhost.crt'),
    SWITCHBOARD_TLS_KEY: repoFile('test/fixtures/tls/localhost.key'),
    SWITCHBOARD_REQUEST_TIMEOUT_MS: '1000',
  });
  t.after(() => gw.close());
  const open = async (first?: Buffer): Promise<{ closed: Promise<number> }> => {
    const socket = connect(gw.gateway.port, '127.0.0.1');
    socket.on('error', () => undefined);
    t.after(() => socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    if (first !== undefined) socket.write(first);
    return { closed: new Promise((resolve) => socket.once('close', () => resolve(Date.now()))) };
  };
  const silent = await open();
  const handshaking = await open(Buffer.from([0x16, 0x03, 0x01]));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stopping = Date.now();
  await gw.gateway.close();
  const took = Date.now() - stopping;
  assert.ok(took < 10_000, `stopped after ${took} ms`);
  assert.ok((await silent.closed) - stopping < 1_000, 'the silent connection is closed with the idle ones');
  assert.ok((await handshaking.closed) - stopping < 10_000, 'the stalled handshake is cut off with the rest');
});

/**
 * A stream over `socket` that writes its first write (a TLS client's ClientHello) one byte at a
 * time, and how many bytes that was.
 */
function tricklingFirstWrite(socket: Socket): { stream: Duplex; trickled: () => number } {
  let trickled = 0;
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      if (trickled > 0) return socket.write(chunk, () => done());
      trickled = chunk.length;
      void (async () => {
        for (const byte of chunk) {
          socket.write(Buffer.of(byte));
          await new Promise((r) => setTimeout(r, 1));
        }
        done();
      })();
    },
  });
  socket.on('data', (data: Buffer) => stream.push(data));
  socket.on('end', () => stream.push(null));
  return { stream, trickled: () => trickled };
}

test('a TLS client whose ClientHello comes one byte at a time still gets through', async (t) => {
  const { gw } = await httpsGateway(t);
  const raw = connect(gw.gateway.port, '127.0.0.1');
  raw.setNoDelay(true);
  await new Promise((resolve) => raw.once('connect', resolve));
  t.after(() => raw.destroy());
  const trickling = tricklingFirstWrite(raw);
  const tls = tlsConnect({ socket: trickling.stream, servername: 'localhost', ca });
  await new Promise((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
  assert.ok(trickling.trickled() > 100, `a ClientHello of ${trickling.trickled()} bytes came one byte at a time`);
  tls.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  let answer = '';
  for await (const part of tls) answer += String(part);
  assert.match(answer, /^HTTP\/1\.1 200 /);
});

test('before its first byte a connection gets the handshake timeout, then TLS its own; a plain request that stops is answered then; an https SWITCHBOARD_PUBLIC_URL is the URL given', async (t) => {
  const handshakeTimeoutMs = 300;
  const server = createServer({ cert: fixture('localhost.crt'), key: fixture('localhost.key'), handshakeTimeout: handshakeTimeoutMs }, (_req, res) => res.end('ok'));
  answerPlainHttp(server, { config: { publicUrl: 'https://sms.example.com:8443', publicUrlSet: true }, log: createLogger('silent'), metrics: undefined, handshakeTimeoutMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  /** Opens a connection, writes `sent`, and resolves with what came back and after how long the server closed it. */
  const held = (sent: Buffer) =>
    new Promise<{ ms: number; answer: string }>((resolve) => {
      const started = Date.now();
      const socket = connect(port, '127.0.0.1', () => socket.write(sent));
      let answer = '';
      socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ ms: Date.now() - started, answer }));
    });
  const [silent, tlsStarted, stalled, whole] = await Promise.all([
    held(Buffer.alloc(0)),
    held(Buffer.of(0x16)),
    held(Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n')),
    held(Buffer.from('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')),
  ]);
  for (const [name, outcome] of Object.entries({ silent, tlsStarted, stalled })) {
    assert.ok(outcome.ms >= handshakeTimeoutMs - 50 && outcome.ms < 5_000, `${name} closed after ${outcome.ms} ms`);
  }
  assert.equal(silent.answer, '');
  assert.equal(tlsStarted.answer, '', 'TLS closes a handshake that never comes without an HTTP answer');
  // Its head never came whole: nothing of it is read for the URL.
  assert.match(whole.answer, /\r\n\r\nThis port speaks HTTPS only, and the request came as plain HTTP: use https:\/\/sms\.example\.com:8443\/healthz\n$/);
  assert.ok(whole.ms < handshakeTimeoutMs, `a whole request is answered at once, not after ${whole.ms} ms`);
  assert.match(stalled.answer, /^HTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\nThis port speaks HTTPS only, and the request came as plain HTTP: use https:\/\/ instead of http:\/\/\n$/);
});
