import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fetchJson } from '../../src/cli/fetch-json.js';
import { answerPlainHttp } from '../../src/http/plain-http.js';
import { createLogger } from '../../src/logger.js';
import { OperatorError } from '../../src/errors.js';
import { repoFile } from '../helpers/root.js';

test('a gateway whose certificate the CLI does not trust (self-signed): the one line says how to trust it', async (t) => {
  // It said only "self-signed certificate"; README's NODE_EXTRA_CA_CERTS was the fix (an operator trial).
  const server = createServer({ cert: readFileSync(repoFile('test/fixtures/tls/localhost.crt')), key: readFileSync(repoFile('test/fixtures/tls/localhost.key')) }, (_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  await assert.rejects(fetchJson(`https://127.0.0.1:${port}/healthz`, {}), (err: unknown) => {
    assert.ok(err instanceof OperatorError);
    assert.match(err.message, new RegExp(`^cannot reach https://127\\.0\\.0\\.1:${port}: .*certificate.* \\(to trust it, set NODE_EXTRA_CA_CERTS to its PEM file\\)$`));
    return true;
  });
  // A gateway that is not there is told as before, without the hint.
  await assert.rejects(fetchJson('http://127.0.0.1:9/healthz', {}), (err: unknown) => err instanceof OperatorError && !/NODE_EXTRA_CA_CERTS/.test(err.message));
});

test('a plain http:// URL of the HTTPS port: the one line says what the gateway answered, the https:// URL to use', async (t) => {
  // It said "answered 400 with a body that is not JSON" and nothing of the answer.
  const server = createServer({ cert: readFileSync(repoFile('test/fixtures/tls/localhost.crt')), key: readFileSync(repoFile('test/fixtures/tls/localhost.key')) }, (_req, res) => res.end('{}'));
  answerPlainHttp(server, { config: { publicUrl: '', publicUrlSet: false }, log: createLogger('silent'), metrics: undefined, handshakeTimeoutMs: 5_000 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  await assert.rejects(fetchJson(`http://127.0.0.1:${port}/admin/v1/apps`, {}), (err: unknown) => {
    assert.ok(err instanceof OperatorError);
    assert.equal(
      err.message,
      `http://127.0.0.1:${port}/admin/v1/apps answered 400 with a body that is not JSON: This port speaks HTTPS only, and the request came as plain HTTP: use https://127.0.0.1:${port}/admin/v1/apps`,
    );
    return true;
  });
});
