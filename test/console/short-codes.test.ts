import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { warnOfUnusableShortCodes } from '../../src/auth/apps.js';
import { createLogger } from '../../src/logger.js';
import { consolePage, signIn } from './sign-in.js';

/*
 * The console's short codes follow the gateway's one rule (sms/address.ts): its form takes what
 * the admin API takes, and a code an earlier build let in beyond the rule is marked, not hidden.
 */

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

test('the add-short-code form takes exactly what the gateway reads as a short code', async () => {
  const app = await createApp(gw);
  const page = await consolePage(gw, await signIn(gw), `/console/apps/${app.id}`);
  const pattern = /<input name="shortCode"[^>]* pattern="([^"]+)"/.exec(page)?.[1];
  assert.ok(pattern !== undefined, 'the form has a pattern');
  // As a browser reads the attribute: the whole value, with the `v` flag.
  const matches = (value: string) => new RegExp(`^(?:${pattern})$`, 'v').test(value);
  assert.deepEqual(['505', '22627000', '12', '226270001', '4255550100'].map(matches), [true, true, false, false, false]);
});

test('a code of an earlier build beyond the rule is marked unusable, without an inbox link, removable, and named by the start-up warning', async () => {
  const app = await createApp(gw, { shortCodes: [{ shortCode: '22627100', moDelivery: 'poll' }] });
  // Registered as the admin API used to take it (up to 15 digits); the API refuses it now.
  assert.equal(await gw.gateway.ctx.store.shortCodes.claim({ code: '226271001', appId: app.id, moDelivery: 'poll', listenerUrl: null, createdAt: Date.now() }), true);
  const session = await signIn(gw);
  const page = await consolePage(gw, session, `/console/apps/${app.id}`);
  const row = (code: string) => new RegExp(`<tr>\\s*<td><code>${code}</code>[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
  assert.match(row('226271001'), /class="badge bad unusable">unusable</);
  assert.doesNotMatch(row('226271001'), /shortCode=226271001/, 'no inbox link that would answer 400');
  assert.doesNotMatch(row('22627100'), /unusable/);
  assert.match(row('22627100'), /shortCode=22627100/);

  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  await warnOfUnusableShortCodes(gw.gateway.ctx.store, createLogger('info', sink));
  assert.equal(lines.length, 1);
  const logged = JSON.parse(lines[0] ?? '{}');
  assert.deepEqual(logged.shortCodes, [{ shortCode: '226271001', appId: app.id }]);
  assert.match(logged.msg, /no handset can text them/);

  const removed = await gw.request('DELETE', `/admin/v1/apps/${app.id}/short-codes/226271001`, { headers: ADMIN_AUTH });
  assert.equal(removed.status, 204, 'it can still be removed');
  lines.length = 0;
  await warnOfUnusableShortCodes(gw.gateway.ctx.store, createLogger('info', sink));
  assert.deepEqual(lines, [], 'nothing to warn of');
});
