import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { signIn, type ConsoleSignIn } from './sign-in.js';

/*
 * The console's yes/no switches (a handset on or off, an app suspended or not) take `true` or
 * `false`: any other value was read as `false`, so a script posting `online=on` switched the
 * handset off, and `suspended=yes` resumed the app. Found by a new-user review.
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

function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(gw.url + path, {
    method: 'POST',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf, ...fields }).toString(),
    redirect: 'manual',
  });
}

/** The handset's state as the simulated network holds it. */
function handset(number: string): Promise<{ online: boolean }> {
  const sim = gw.gateway.ctx.outbound.simulator;
  assert.ok(sim !== undefined, 'the simulated network');
  return sim.handset(`+1${number}`);
}

test('the handset switch: a value other than true or false is a 400 form error and changes nothing', async () => {
  const number = '4255550177';
  for (const online of ['on', '1', 'yes', '', 'False!']) {
    const res = await post(`/console/handsets/${number}/state`, { online });
    assert.equal(res.status, 400, online);
    assert.match(await res.text(), /online must be true or false\./);
    assert.equal((await handset(number)).online, true, `still on after online=${online}`);
  }
  const fax = await post(`/console/handsets/${number}/state`, { kind: 'fax' });
  assert.equal(fax.status, 400);
  assert.match(await fax.text(), /kind must be one of mobile, landline, offnet\./);
  // The page's own forms still work, in any case of the word.
  assert.equal((await post(`/console/handsets/${number}/state`, { online: 'FALSE' })).status, 303);
  assert.equal((await handset(number)).online, false);
  assert.equal((await post(`/console/handsets/${number}/state`, { online: 'true' })).status, 303);
  assert.equal((await handset(number)).online, true);
});

test('the app suspension switch: a value other than true or false is a 400 form error and changes nothing', async () => {
  const app = await createApp(gw);
  const suspended = async () => (await gw.request('GET', `/admin/v1/apps/${app.id}`, { headers: ADMIN_AUTH })).json().suspended as boolean;
  assert.equal((await post(`/console/apps/${app.id}/suspend`, { suspended: 'true' })).status, 303);
  assert.equal(await suspended(), true);
  for (const fields of [{ suspended: 'yes' }, { suspended: 'on' }, {}] as Record<string, string>[]) {
    const res = await post(`/console/apps/${app.id}/suspend`, fields);
    assert.equal(res.status, 400, JSON.stringify(fields));
    assert.match(await res.text(), /suspended must be true or false\./);
    assert.equal(await suspended(), true, `still suspended after ${JSON.stringify(fields)}`);
  }
  assert.equal((await post(`/console/apps/${app.id}/suspend`, { suspended: 'false' })).status, 303);
  assert.equal(await suspended(), false);
});
