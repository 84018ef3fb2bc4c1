import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN_AUTH, createApp } from '../helpers/apps.js';
import { startListener } from '../webhooks/listener.js';
import { rotateAdminToken } from '../../src/auth/admin-token.js';
import { signIn } from './sign-in.js';

/* The console's security rules over plain HTTP (no browser needed): sessions, CSRF, escaping. */

let gw: TestGateway;

before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function get(path: string, cookie?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(gw.url + path, { headers: { ...(cookie === undefined ? {} : { cookie }), ...headers }, redirect: 'manual' });
}

async function post(path: string, fields: Record<string, string>, cookie?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(gw.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie }), ...headers },
    body: form(fields),
    redirect: 'manual',
  });
}

test('pages need a session: GET redirects to sign-in (and back), a wrong token is refused', async () => {
  const res = await get('/console/messages?view=dead');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/console/login?next=%2Fconsole%2Fmessages%3Fview%3Ddead');
  const wrong = await post('/console/login', { token: 'guess' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
  const back = await post('/console/login', { token: ADMIN_TOKEN, next: '/console/messages?view=dead' });
  assert.equal(back.headers.get('location'), '/console/messages?view=dead');
  const elsewhere = await post('/console/login', { token: ADMIN_TOKEN, next: '//evil.example/' });
  assert.equal(elsewhere.headers.get('location'), '/console/apps', 'never redirected off the console');
  for (const next of ['/console/..//evil.example/', '/console/%2E%2e/metrics', '/console/./apps']) {
    assert.equal((await post('/console/login', { token: ADMIN_TOKEN, next })).headers.get('location'), '/console/apps', next);
  }
  const unheaderable = await post('/console/login', { token: ADMIN_TOKEN, next: '/console/\u0100' });
  assert.equal(unheaderable.status, 303, 'a next that cannot be a header value is dropped, not a 500');
  assert.equal(unheaderable.headers.get('location'), '/console/apps');
  const unauthenticatedPost = await post('/console/apps', { name: 'x' });
  assert.equal(unauthenticatedPost.status, 401);
});

test('signed out, a live poll (X-Console-Live) is 401 whatever its URL; a page load goes to sign-in', async () => {
  // From a code review: only URLs with `fragment=` were told apart, so the handset thread's poll
  // was sent to sign-in with itself as `next`, and console.js pasted the sign-in page into it.
  for (const path of ['/console/handsets/4255550100/thread', '/console/messages?view=dead&fragment=list', '/console/network?fragment=links']) {
    const poll = await get(path, undefined, { 'x-console-live': '1' });
    assert.equal(poll.status, 401, path);
    assert.equal(poll.headers.get('location'), null, path);
    const load = await get(path);
    assert.equal(load.status, 303, path);
    assert.equal(load.headers.get('location'), `/console/login?next=${encodeURIComponent(path)}`, path);
  }
  const { cookie } = await signIn(gw);
  assert.equal((await get('/console/handsets/4255550100/thread', cookie, { 'x-console-live': '1' })).status, 200, 'signed in');
  const script = await (await get('/console/assets/console.js')).text();
  assert.match(script, /'X-Console-Live': '1'/, 'console.js marks its polls');
});

test('the session cookie is HttpOnly, SameSite=Strict, scoped to /console; only its hash is stored, with an expiry', async () => {
  const { token, setCookie } = await signIn(gw);
  assert.match(setCookie, /^switchboard_console=[0-9a-f]{64}; Path=\/console; Max-Age=28800; HttpOnly; SameSite=Strict$/);
  const store = gw.gateway.ctx.store;
  const now = Date.now();
  const session = await store.console.session(createHash('sha256').update(token).digest('hex'), now);
  assert.ok(session !== undefined);
  assert.ok(Math.abs(session.expiresAt - (now + 28800 * 1000)) < 60_000);
  assert.equal(await store.console.session(token, now), undefined, 'the token itself is not a key');
});

test('behind a TLS-terminating proxy the cookie is Secure, as the browser reached the console over https', async () => {
  // From a code review: only SWITCHBOARD_PUBLIC_URL was looked at, and README has it unset behind
  // a proxy (the origin each request called), so the cookie went out without Secure.
  const proxied = await startTestGateway({ SWITCHBOARD_TRUST_PROXY: '127.0.0.1' });
  try {
    const viaProxy = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sms.example.com', origin: 'https://sms.example.com' };
    const signIn = (headers: Record<string, string>) =>
      fetch(`${proxied.url}/console/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: form({ token: ADMIN_TOKEN }),
        redirect: 'manual',
      });
    const https = await signIn(viaProxy);
    assert.equal(https.status, 303);
    const setCookie = https.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /; HttpOnly; SameSite=Strict; Secure$/);
    const cookie = setCookie.split(';')[0] ?? '';
    const page = await (await fetch(`${proxied.url}/console/apps`, { headers: { cookie, ...viaProxy } })).text();
    const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(page)?.[1] ?? '';
    const out = await fetch(`${proxied.url}/console/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...viaProxy }, body: form({ _csrf: csrf }), redirect: 'manual' });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0; HttpOnly; SameSite=Strict; Secure$/, 'cleared with the same attributes');
    const http = await signIn({ 'x-forwarded-proto': 'http' });
    assert.doesNotMatch(http.headers.get('set-cookie') ?? '', /Secure/, 'plain http through the proxy');
  } finally {
    await proxied.close();
  }
  const untrusting = await post('/console/login', { token: ADMIN_TOKEN }, undefined, { 'x-forwarded-proto': 'https' });
  assert.doesNotMatch(untrusting.headers.get('set-cookie') ?? '', /Secure/, 'the header of a proxy not trusted says nothing');
});

test('every POST needs the session CSRF token and the console origin', async () => {
  const { cookie, csrf } = await signIn(gw);
  const before = (await gw.request('GET', '/admin/v1/apps', { headers: ADMIN_AUTH })).json().apps.length;
  assert.equal((await post('/console/apps', { name: 'no-token' }, cookie)).status, 403);
  assert.equal((await post('/console/apps', { name: 'bad-token', _csrf: 'f'.repeat(48) }, cookie)).status, 403);
  assert.equal((await post('/console/apps', { name: 'cross-site', _csrf: csrf }, cookie, { origin: 'http://evil.example' })).status, 403);
  const other = await signIn(gw);
  assert.equal((await post('/console/apps', { name: 'other-session', _csrf: other.csrf }, cookie)).status, 403, "another session's token does not do");
  assert.equal((await gw.request('GET', '/admin/v1/apps', { headers: ADMIN_AUTH })).json().apps.length, before, 'nothing was created');

  const created = await post('/console/apps', { name: 'console-made', _csrf: csrf, scopes: 'SMS' }, cookie, { origin: gw.url });
  assert.equal(created.status, 201);
  const page = await created.text();
  assert.match(page, /id="app-secret">[0-9a-f]{24}</);
  assert.equal(created.headers.get('cache-control'), 'no-store');
});

test('a dead-letter replay goes back only to a console page, whatever its `back` says', async () => {
  // From a code review: `/console/..//evil.example/` passed the check on the raw text and was
  // redirected to as its normalised path, `//evil.example/`, another host to a browser.
  const [fast, listener] = await Promise.all([
    startTestGateway({ SWITCHBOARD_RETRY_BASE_MS: '50', SWITCHBOARD_RETRY_CAP_MS: '100', SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S: '1', SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '300' }),
    startListener(() => 500),
  ]);
  try {
    const app = await createApp(fast, { shortCodes: [{ shortCode: '22627300', moDelivery: 'callback', listenerUrl: listener.url }] });
    const backs: [string, string][] = [
      ['/console/..//evil.example/', '/console/messages?view=dead&done=replayed'],
      ['//evil.example/console/', '/console/messages?view=dead&done=replayed'],
      ['https://evil.example/console/', '/console/messages?view=dead&done=replayed'],
      [`/console/messages?view=dead&app=${app.id}`, `/console/messages?view=dead&app=${app.id}&done=replayed`],
    ];
    for (let i = 0; i < backs.length; i++) {
      assert.equal((await fast.request('POST', '/sim/v1/handsets/4255550100/messages', { body: { to: '22627300', text: `hello ${i}` } })).status, 202);
    }
    let dead: { id: string }[] = [];
    for (let i = 0; i < 100 && dead.length < backs.length; i++) {
      await sleep(100);
      dead = (await fast.request('GET', `/admin/v1/apps/${app.id}/dead-letters`, { headers: ADMIN_AUTH })).json().deadLetters;
    }
    assert.equal(dead.length, backs.length, 'the dead letters');
    const session = await signIn(fast);
    for (const [i, [back, location]] of backs.entries()) {
      const res = await fetch(`${fast.url}/console/dead-letters/replay`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ _csrf: session.csrf, app: app.id, id: dead[i]?.id ?? '', back }),
        redirect: 'manual',
      });
      assert.equal(res.status, 303, back);
      assert.equal(res.headers.get('location'), location, back);
    }
  } finally {
    await Promise.all([fast.close(), listener.close()]);
  }
});

test('every value is escaped: an app named like markup shows as text', async () => {
  const { cookie } = await signIn(gw);
  const name = `<img src=x onerror="alert('x')">`;
  const res = await gw.request('POST', '/admin/v1/apps', { headers: ADMIN_AUTH, body: { name } });
  assert.equal(res.status, 201);
  for (const path of ['/console/apps', `/console/apps/${res.json().id}`]) {
    const page = await (await get(path, cookie)).text();
    assert.ok(!page.includes('<img'), path);
    assert.ok(page.includes('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;'), path);
  }
});

test('console answers carry CSP and framing rules; live fragments answer 304 while unchanged', async () => {
  const { cookie } = await signIn(gw);
  const res = await get('/console/handsets/4255550160', cookie);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'; script-src 'self'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const fragment = await get('/console/handsets/4255550160/thread', cookie);
  assert.equal(fragment.status, 200);
  const etag = fragment.headers.get('etag') ?? '';
  assert.match(await fragment.text(), /No messages yet/);
  assert.equal((await get('/console/handsets/4255550160/thread', cookie, { 'if-none-match': etag })).status, 304);
  await gw.request('POST', '/sim/v1/handsets/4255550160/messages', { body: { to: '22699999', text: 'anyone?' } });
  const changed = await get('/console/handsets/4255550160/thread', cookie, { 'if-none-match': etag });
  assert.equal(changed.status, 200);
  assert.match(await changed.text(), /anyone\?/);
  const script = await get('/console/assets/console.js');
  assert.equal(script.status, 200, 'assets need no session');
  assert.match(script.headers.get('content-type') ?? '', /javascript/);
});

test('sign-out deletes the session; an expired session is gone too', async () => {
  const { cookie, token, csrf } = await signIn(gw);
  const out = await post('/console/logout', { _csrf: csrf }, cookie);
  assert.equal(out.status, 303);
  assert.match(out.headers.get('set-cookie') ?? '', /^switchboard_console=; Path=\/console; Max-Age=0/);
  assert.equal(await gw.gateway.ctx.store.console.session(createHash('sha256').update(token).digest('hex'), Date.now()), undefined);
  assert.equal((await get('/console/apps', cookie)).status, 303);

  const short = await startTestGateway({ SWITCHBOARD_CONSOLE_SESSION_TTL_S: '1' });
  try {
    const session = await signIn(short);
    assert.equal((await fetch(`${short.url}/console/apps`, { headers: { cookie: session.cookie }, redirect: 'manual' })).status, 200);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await fetch(`${short.url}/console/apps`, { headers: { cookie: session.cookie }, redirect: 'manual' })).status, 303);
  } finally {
    await short.close();
  }
});

test('rotating the admin token ends the sessions signed in with the old one', async () => {
  const stored = await startTestGateway({ SWITCHBOARD_ADMIN_TOKEN: '' });
  try {
    const first = await rotateAdminToken(stored.gateway.ctx.store);
    const session = await signIn(stored, first);
    const page = () => fetch(`${stored.url}/console/apps`, { headers: { cookie: session.cookie }, redirect: 'manual' });
    assert.equal((await page()).status, 200);
    const second = await rotateAdminToken(stored.gateway.ctx.store);
    assert.equal((await page()).status, 303, 'the old token\'s session is shut out');
    assert.equal((await fetch(`${stored.url}/console/apps`, { headers: { cookie: (await signIn(stored, second)).cookie }, redirect: 'manual' })).status, 200);
  } finally {
    await stored.close();
  }
});

test('a body the parsers refuse (a DOCTYPE, an unknown charset, malformed JSON) is a 4xx page, not a 500', async () => {
  // From a fuzzing walk: each of these answered 500 "Something went wrong" and logged a stack.
  const session = await signIn(gw);
  const cases: [string, Record<string, string>, string][] = [
    ['/console/login', { 'content-type': 'application/xml' }, '<!DOCTYPE x><token>x</token>'],
    ['/console/login', { 'content-type': 'application/x-www-form-urlencoded; charset=bogus' }, 'token=x'],
    ['/console/apps', { 'content-type': 'application/json', cookie: session.cookie }, '<a><b>'],
  ];
  for (const [path, headers, body] of cases) {
    const res = await fetch(gw.url + path, { method: 'POST', headers, body, redirect: 'manual' });
    const text = await res.text();
    assert.ok(res.status >= 400 && res.status < 500, `${path} ${headers['content-type']}: ${res.status}`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.doesNotMatch(text, /Something went wrong|%1|at .*\.(ts|js):\d+/);
  }
});
