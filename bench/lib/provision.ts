import { ADMIN_TOKEN } from './processes.js';

export interface BenchApp {
  readonly id: string;
  readonly token: string;
  readonly shortCode: string;
}

async function call(url: string, init: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** Creates an app with a short code through the admin API and gets it a token, as an operator would. */
export async function provisionApp(
  base: string,
  options: { shortCode: string; moDelivery?: 'poll' | 'callback'; listenerUrl?: string; deliveryStatusUrl?: string },
): Promise<BenchApp> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const app = await call(`${base}/admin/v1/apps`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name: `bench-${options.shortCode}`, scopes: ['SMS'], ...(options.deliveryStatusUrl ? { deliveryStatusUrl: options.deliveryStatusUrl } : {}) }),
  });
  await call(`${base}/admin/v1/apps/${app.id}/short-codes`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ shortCode: options.shortCode, moDelivery: options.moDelivery ?? 'poll', ...(options.listenerUrl ? { listenerUrl: options.listenerUrl } : {}) }),
  });
  const form = new URLSearchParams({ client_id: app.appKey, client_secret: app.appSecret, grant_type: 'client_credentials', scope: 'SMS' });
  const token = await call(`${base}/oauth/v4/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  return { id: app.id, token: token.access_token, shortCode: options.shortCode };
}
