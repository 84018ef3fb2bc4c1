import assert from 'node:assert/strict';
import { ADMIN_TOKEN, type TestGateway } from '../helpers/gateway.js';

export interface ConsoleSignIn {
  /** `switchboard_console=…`, for a Cookie header. */
  readonly cookie: string;
  /** The cookie's value (the session token). */
  readonly token: string;
  /** The session's CSRF token, read off a page's forms. */
  readonly csrf: string;
  readonly setCookie: string;
}

/** Signs in to the console over plain HTTP, as a browser would. */
export async function signIn(gw: TestGateway, adminToken = ADMIN_TOKEN): Promise<ConsoleSignIn> {
  const res = await fetch(`${gw.url}/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: adminToken }).toString(),
    redirect: 'manual',
  });
  assert.equal(res.status, 303);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const page = await (await fetch(`${gw.url}/console/apps`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(page)?.[1] ?? '';
  return { cookie, token: cookie.split('=')[1] ?? '', csrf, setCookie };
}

/** A console page's HTML (status 200 asserted). */
export async function consolePage(gw: TestGateway, session: ConsoleSignIn, path: string): Promise<string> {
  const res = await fetch(gw.url + path, { headers: { cookie: session.cookie }, redirect: 'manual' });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return text;
}
