import assert from 'node:assert/strict';
import { ADMIN_TOKEN, type TestGateway } from './gateway.js';

export const ADMIN_AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TestShortCode {
  readonly shortCode: string;
  readonly moDelivery: 'poll' | 'callback';
  readonly listenerUrl?: string;
}

export interface CreateAppOptions {
  readonly name?: string;
  readonly scopes?: readonly string[];
  readonly realm?: 'sandbox' | 'production';
  readonly shortCodes?: readonly TestShortCode[];
  readonly deliveryStatusUrl?: string;
  readonly ratePerSecond?: number | null;
  readonly ratePerDay?: number | null;
  /** Scope asked for at the token endpoint (default: all of the app's). */
  readonly tokenScope?: string;
}

export interface TestApp {
  readonly id: string;
  readonly name: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly signingSecret: string;
  /** A fresh access token from `POST /oauth/v4/token` (client_credentials). */
  readonly token: string;
  readonly refreshToken: string;
  /** Headers that authenticate an API call with `token`. */
  readonly auth: { readonly authorization: string };
}

let counter = 0;

/**
 * Creates an app through the admin API, claims its short codes and gets a token from the token
 * endpoint — all over real HTTP, as an operator and a client would.
 *
 * @example const app = await createApp(gw, { shortCodes: [{ shortCode: '22627000', moDelivery: 'poll' }] });
 *          await gw.request('POST', '/sms/v3/messaging/outbox', { headers: app.auth, body: {...} });
 */
export async function createApp(gw: TestGateway, options: CreateAppOptions = {}): Promise<TestApp> {
  const body: Record<string, unknown> = { name: options.name ?? `test-app-${++counter}`, scopes: options.scopes ?? ['SMS'] };
  if (options.realm !== undefined) body.realm = options.realm;
  if (options.deliveryStatusUrl !== undefined) body.deliveryStatusUrl = options.deliveryStatusUrl;
  if (options.ratePerSecond !== undefined) body.ratePerSecond = options.ratePerSecond;
  if (options.ratePerDay !== undefined) body.ratePerDay = options.ratePerDay;
  const created = await gw.request('POST', '/admin/v1/apps', { headers: ADMIN_AUTH, body });
  assert.equal(created.status, 201, created.text);
  const app = created.json();
  for (const sc of options.shortCodes ?? []) {
    const res = await gw.request('POST', `/admin/v1/apps/${app.id}/short-codes`, { headers: ADMIN_AUTH, body: sc });
    assert.equal(res.status, 201, res.text);
  }
  const tokens = await getToken(gw, app.appKey, app.appSecret, options.tokenScope);
  return {
    id: app.id,
    name: app.name,
    appKey: app.appKey,
    appSecret: app.appSecret,
    signingSecret: app.signingSecret,
    token: tokens.access_token,
    refreshToken: tokens.refresh_token,
    auth: { authorization: `Bearer ${tokens.access_token}` },
  };
}

/** `POST /oauth/v4/token` with client_credentials, form-encoded as AT&T clients send it. */
export async function getToken(gw: TestGateway, appKey: string, appSecret: string, scope?: string): Promise<any> {
  const form = new URLSearchParams({ client_id: appKey, client_secret: appSecret, grant_type: 'client_credentials' });
  if (scope !== undefined) form.set('scope', scope);
  const res = await gw.request('POST', '/oauth/v4/token', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  });
  assert.equal(res.status, 200, res.text);
  return res.json();
}

/** PATCHes an app through the admin API (suspend it, change throttles, …) and returns the new view. */
export async function patchApp(gw: TestGateway, id: string, changes: Record<string, unknown>): Promise<any> {
  const res = await gw.request('PATCH', `/admin/v1/apps/${id}`, { headers: ADMIN_AUTH, body: changes });
  assert.equal(res.status, 200, res.text);
  return res.json();
}
