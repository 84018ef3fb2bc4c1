import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { consolePage, signIn, type ConsoleSignIn } from './sign-in.js';

/*
 * The app page's settings form sends every field, the scopes among them. An app stored by an
 * earlier build with a scope that is no longer accepted (`SMSS`) could have none of its settings
 * saved until its scopes were mended: each save was refused for the scope it resent. Found in an
 * operator trial.
 */

let gw: TestGateway;
let session: ConsoleSignIn;
before(async () => {
  gw = await startTestGateway();
  session = await signIn(gw);
});
after(async () => {
  await gw.close();
});

/** The settings form's fields as the app page fills them in, which a browser sends back. */
async function settingsForm(appId: string): Promise<Record<string, string>> {
  const page = await consolePage(gw, session, `/console/apps/${appId}`);
  const form = /<form method="post" action="[^"]*\/settings"[^>]*>([\s\S]*?)<\/form>/.exec(page)?.[1];
  assert.ok(form !== undefined, 'the settings form');
  const fields: Record<string, string> = {};
  for (const [, name, value] of form.matchAll(/<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"/g)) fields[name ?? ''] = value ?? '';
  return fields;
}

function save(appId: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${gw.url}/console/apps/${appId}/settings`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

async function stored(appId: string): Promise<{ scopes: string[]; ratePerSecond: number | null; ratePerDay: number | null }> {
  return (await gw.request('GET', `/admin/v1/apps/${appId}`, { headers: ADMIN_AUTH })).json();
}

test('an app holding a scope no longer accepted has its other settings saved; only a newly added unknown scope is refused', async () => {
  const app = await createApp(gw);
  assert.ok(await gw.gateway.ctx.store.apps.update(app.id, { scopes: ['SMS', 'SMSS'] }, Date.now()));
  const form = await settingsForm(app.id);
  assert.equal(form.scopes, 'SMS,SMSS');
  assert.equal(form._csrf, session.csrf);

  const saved = await save(app.id, { ...form, ratePerSecond: '5' });
  assert.equal(saved.status, 303, await saved.text());
  let now = await stored(app.id);
  assert.deepEqual([now.scopes, now.ratePerSecond], [['SMS', 'SMSS'], 5]);

  // A name added beside it is refused, naming that one only, and nothing is saved.
  const added = await save(app.id, { ...(await settingsForm(app.id)), scopes: 'SMS,SMSS,MMMS', ratePerDay: '100' });
  assert.equal(added.status, 400);
  assert.match(await added.text(), /scopes holds an unknown scope: MMMS \(/);
  now = await stored(app.id);
  assert.deepEqual([now.scopes, now.ratePerDay], [['SMS', 'SMSS'], null]);

  // Mended, the old name is refused like any other.
  assert.equal((await save(app.id, { ...(await settingsForm(app.id)), scopes: 'SMS' })).status, 303);
  assert.deepEqual((await stored(app.id)).scopes, ['SMS']);
  const back = await save(app.id, { ...(await settingsForm(app.id)), scopes: 'SMS,SMSS' });
  assert.equal(back.status, 400);
  assert.match(await back.text(), /scopes holds an unknown scope: SMSS \(/);
});
