import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { createLogger, redactUrl } from '../../src/logger.js';
import { ADMIN_TOKEN, send } from '../helpers/gateway.js';

test('redactUrl masks access_token wherever it sits in the query', () => {
  assert.equal(redactUrl('/sms/v3/messaging/inbox/22627000?access_token=abc'), '/sms/v3/messaging/inbox/22627000?access_token=[redacted]');
  assert.equal(redactUrl('/rest/sms/2/messaging/inbox?RegistrationID=1&ACCESS_TOKEN=abc&x=1'), '/rest/sms/2/messaging/inbox?RegistrationID=1&ACCESS_TOKEN=[redacted]&x=1');
  assert.equal(redactUrl('/healthz'), '/healthz');
  // Spellings the query parser reads as the same name, and the other secrets a client may misplace there.
  assert.equal(redactUrl('/sms/v3/messaging/inbox/1?access%5Ftoken=abc'), '/sms/v3/messaging/inbox/1?access%5Ftoken=[redacted]');
  assert.equal(redactUrl('/sms/v3/messaging/inbox/1?access_token[]=abc&access_token%5B0%5D=def'), '/sms/v3/messaging/inbox/1?access_token[]=[redacted]&access_token%5B0%5D=[redacted]');
  assert.equal(redactUrl('/oauth/v4/token?client_id=k&client_secret=s&refresh_token=r&token=t'), '/oauth/v4/token?client_id=k&client_secret=[redacted]&refresh_token=[redacted]&token=[redacted]');
  assert.equal(redactUrl('/x?a=%E0%A4%A&token=t'), '/x?a=%E0%A4%A&token=[redacted]');
});

test('debug logs of a gateway carry no secret, token or admin token', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-redaction-'));
  const gateway = await startGateway(
    loadConfig({ HOST: '127.0.0.1', PORT: '0', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL' }),
    { logger: createLogger('trace', sink) },
  );
  try {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const app = (await send(gateway.url, 'POST', '/admin/v1/apps', { headers: admin, body: { name: 'logged' } })).json();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const tokenBody = new URLSearchParams({ client_id: app.appKey, client_secret: app.appSecret, grant_type: 'client_credentials' }).toString();
    const tokens = (await send(gateway.url, 'POST', '/oauth/v4/token', { headers: form, body: tokenBody })).json();
    await send(gateway.url, 'GET', `/sms/v3/messaging/outbox/SMS1?access_token=${tokens.access_token}`);
    // The query parser reads an escaped name as the same parameter: the log must mask it too.
    await send(gateway.url, 'GET', `/sms/v3/messaging/outbox/SMS1?access%5Ftoken=${tokens.access_token}`);
    await send(gateway.url, 'GET', '/sms/v3/messaging/outbox/SMS1', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    await send(gateway.url, 'POST', '/oauth/v4/token', {
      headers: form,
      body: new URLSearchParams({ client_id: app.appKey, client_secret: app.appSecret, grant_type: 'refresh_token', refresh_token: tokens.refresh_token }).toString(),
    });
    await send(gateway.url, 'POST', `/admin/v1/apps/${app.id}/secret`, { headers: admin });
    const log = lines.join('');
    // One access line per request, with the token in the query masked.
    assert.equal(log.match(/"msg":"request completed"/g)?.length, 7);
    assert.match(log, /"url":"\/sms\/v3\/messaging\/outbox\/SMS1\?access_token=\[redacted\]".*"res":\{"statusCode":400\}/);
    for (const secret of [ADMIN_TOKEN, app.appSecret, app.signingSecret, tokens.access_token, tokens.refresh_token]) {
      assert.ok(!log.includes(secret), `a log line contains a secret: ${secret.slice(0, 6)}…`);
    }
  } finally {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
