import { AppAdmin, type AppPatch, type NewApp, type NewShortCode } from '../auth/apps.js';
import type { Clock } from '../clock.js';
import { OperatorError } from '../errors.js';
import { fetchJson } from './fetch-json.js';
import type { Store } from '../store/store.js';

/**
 * What the CLI's app and short-code commands need, answered with the admin API's JSON bodies
 * either from the store directly or from a running gateway (`--url`), so both print the same.
 */
export interface AdminClient {
  createApp(input: NewApp): Promise<unknown>;
  listApps(): Promise<unknown>;
  getApp(id: string): Promise<unknown>;
  updateApp(id: string, patch: AppPatch): Promise<unknown>;
  deleteApp(id: string): Promise<void>;
  rotateSecret(id: string): Promise<unknown>;
  addShortCode(appId: string, input: NewShortCode): Promise<unknown>;
  listShortCodes(appId: string): Promise<unknown>;
  removeShortCode(appId: string, code: string): Promise<void>;
}

/** Works on the store of the data dir (or SWITCHBOARD_DATABASE_URL) through the same rules as the admin API. */
export class StoreAdminClient implements AdminClient {
  readonly #admin: AppAdmin;

  constructor(store: Store, clock: Clock) {
    this.#admin = new AppAdmin({ store, clock });
  }

  createApp(input: NewApp) {
    return this.#admin.createApp(input);
  }

  async listApps() {
    return { apps: await this.#admin.listApps() };
  }

  getApp(id: string) {
    return this.#admin.getApp(id);
  }

  updateApp(id: string, patch: AppPatch) {
    return this.#admin.updateApp(id, patch);
  }

  deleteApp(id: string) {
    return this.#admin.deleteApp(id);
  }

  rotateSecret(id: string) {
    return this.#admin.rotateSecret(id);
  }

  addShortCode(appId: string, input: NewShortCode) {
    return this.#admin.addShortCode(appId, input);
  }

  async listShortCodes(appId: string) {
    return { shortCodes: await this.#admin.listShortCodes(appId) };
  }

  removeShortCode(appId: string, code: string) {
    return this.#admin.removeShortCode(appId, code);
  }
}

/** Talks to a running gateway's admin API. Its errors come back as OperatorErrors. */
export class HttpAdminClient implements AdminClient {
  readonly #base: string;
  readonly #token: string;

  constructor(url: string, token: string) {
    this.#base = url.replace(/\/+$/, '');
    this.#token = token;
  }

  createApp(input: NewApp) {
    return this.#call('POST', '/apps', input);
  }

  listApps() {
    return this.#call('GET', '/apps');
  }

  getApp(id: string) {
    return this.#call('GET', `/apps/${encodeURIComponent(id)}`);
  }

  updateApp(id: string, patch: AppPatch) {
    return this.#call('PATCH', `/apps/${encodeURIComponent(id)}`, patch);
  }

  async deleteApp(id: string) {
    await this.#call('DELETE', `/apps/${encodeURIComponent(id)}`);
  }

  rotateSecret(id: string) {
    return this.#call('POST', `/apps/${encodeURIComponent(id)}/secret`);
  }

  addShortCode(appId: string, input: NewShortCode) {
    return this.#call('POST', `/apps/${encodeURIComponent(appId)}/short-codes`, input);
  }

  listShortCodes(appId: string) {
    return this.#call('GET', `/apps/${encodeURIComponent(appId)}/short-codes`);
  }

  async removeShortCode(appId: string, code: string) {
    await this.#call('DELETE', `/apps/${encodeURIComponent(appId)}/short-codes/${encodeURIComponent(code)}`);
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchJson(`${this.#base}/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const parsed = res.body;
    if (!res.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? error.code : 'http_error';
      const message = typeof error?.message === 'string' ? error.message : `HTTP ${res.status}`;
      throw new OperatorError(res.status, code, message);
    }
    return parsed;
  }
}
