import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { OperatorError } from '../errors.js';
import type { AppChanges, AppRecord, Realm } from '../store/repos/apps.js';
import type { MoDelivery, ShortCodeRecord } from '../store/repos/short-codes.js';
import type { Store } from '../store/store.js';
import { isShortCode, SHORT_CODE_DIGITS } from '../sms/address.js';
import { parseScopes, PLATFORM_SCOPES, SMS_SCOPE, unknownScopes } from './scopes.js';
import { hashSecret, newAppKey, newAppSecret, newSigningSecret } from './secrets.js';

/** An app as the admin API and the CLI show it (never its secret hash). */
export interface AppView {
  readonly id: string;
  readonly name: string;
  readonly appKey: string;
  readonly scopes: readonly string[];
  readonly realm: Realm;
  readonly deliveryStatusUrl: string | null;
  readonly suspended: boolean;
  /** HMAC key of the webhook signatures; retrievable on purpose (see AppRecord.signingSecret). */
  readonly signingSecret: string;
  readonly ratePerSecond: number | null;
  readonly ratePerDay: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Creation and rotation answers carry the App Secret: the only time it is ever shown. */
export type AppWithSecretView = AppView & { readonly appSecret: string };

export type AppDetailView = AppView & { readonly shortCodes: readonly ShortCodeView[] };

export interface ShortCodeView {
  readonly shortCode: string;
  readonly appId: string;
  readonly moDelivery: MoDelivery;
  readonly listenerUrl: string | null;
  readonly createdAt: string;
}

export interface NewApp {
  readonly name: string;
  /** Default `['SMS']`. */
  readonly scopes?: readonly string[] | string;
  /** Default `sandbox`. */
  readonly realm?: string;
  readonly deliveryStatusUrl?: string | null;
  readonly ratePerSecond?: number | null;
  readonly ratePerDay?: number | null;
}

export interface AppPatch {
  readonly name?: string;
  readonly scopes?: readonly string[] | string;
  readonly suspended?: boolean;
  readonly deliveryStatusUrl?: string | null;
  readonly ratePerSecond?: number | null;
  readonly ratePerDay?: number | null;
}

export interface NewShortCode {
  readonly shortCode: string;
  /** Default: `callback` when a listener URL is given, else `poll`. */
  readonly moDelivery?: string;
  readonly listenerUrl?: string | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function appView(app: AppRecord): AppView {
  return {
    id: app.id,
    name: app.name,
    appKey: app.appKey,
    scopes: app.scopes,
    realm: app.realm,
    deliveryStatusUrl: app.deliveryStatusUrl,
    suspended: app.suspended,
    signingSecret: app.signingSecret,
    ratePerSecond: app.ratePerSecond,
    ratePerDay: app.ratePerDay,
    createdAt: iso(app.createdAt),
    updatedAt: iso(app.updatedAt),
  };
}

export function shortCodeView(sc: ShortCodeRecord): ShortCodeView {
  return { shortCode: sc.code, appId: sc.appId, moDelivery: sc.moDelivery, listenerUrl: sc.listenerUrl, createdAt: iso(sc.createdAt) };
}

const invalid = (message: string) => new OperatorError(400, 'invalid_request', message);
const noApp = (id: string) => new OperatorError(404, 'not_found', `no app with id ${id}`);

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 100) throw invalid('name must be 1 to 100 characters');
  return trimmed;
}

/**
 * `held` are the app's scopes before an update: a name an earlier build stored that is not the
 * platform's may stay, since the console's form and a client's read-modify-write resend the whole
 * list (refusing it kept every other setting of the app from being saved); only one added is refused.
 */
function checkScopes(input: readonly string[] | string, held: readonly string[] = []): string[] {
  const scopes = parseScopes(input);
  if (scopes.length === 0) throw invalid('scopes must name at least one scope');
  const unknown = unknownScopes(scopes).filter((s) => !held.includes(s));
  if (unknown.length > 0) {
    const which = unknown.length === 1 ? 'an unknown scope' : 'unknown scopes';
    throw invalid(`scopes holds ${which}: ${unknown.join(', ')} (the AT&T API platform's scopes are ${PLATFORM_SCOPES.join(', ')}; this gateway serves SMS)`);
  }
  return scopes;
}

function checkRealm(realm: string): Realm {
  if (realm === 'sandbox' || realm === 'production') return realm;
  throw invalid('realm must be sandbox or production');
}

function checkRate(field: string, value: number | null): number | null {
  if (value === null) return null;
  if (!Number.isSafeInteger(value) || value < 1) throw invalid(`${field} must be a whole number of at least 1, or null for unlimited`);
  return value;
}

/** A listener URL must be http(s); the production realm takes https only (sandbox allows http). */
function checkListenerUrl(field: string, value: string, realm: Realm): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${field} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${field} must be an http or https URL`);
  if (realm === 'production' && url.protocol !== 'https:') throw invalid(`${field} must be https in the production realm`);
  return value;
}

function checkShortCode(code: string): string {
  const trimmed = code.trim();
  if (!isShortCode(trimmed)) throw invalid(`shortCode must be ${SHORT_CODE_DIGITS.min} to ${SHORT_CODE_DIGITS.max} digits`);
  return trimmed;
}

/**
 * Logs a warning naming the registered short codes that are not short codes by the gateway's rule
 * (`isShortCode`), which earlier builds let the admin API take (up to 15 digits). They are kept —
 * which to drop is the operator's call — but no handset can text one and no app can poll it.
 */
export async function warnOfUnusableShortCodes(store: Store, log: Logger): Promise<void> {
  const unusable = (await store.shortCodes.list()).filter((sc) => !isShortCode(sc.code));
  if (unusable.length === 0) return;
  log.warn(
    { shortCodes: unusable.map((sc) => ({ shortCode: sc.code, appId: sc.appId })) },
    `short codes not of ${SHORT_CODE_DIGITS.min} to ${SHORT_CODE_DIGITS.max} digits: no handset can text them and no app can poll them; remove them (DELETE /admin/v1/apps/{id}/short-codes/{code}, or the console) and register usable ones`,
  );
}

/**
 * Logs a warning naming the apps that hold scopes other than the platform's (PLATFORM_SCOPES),
 * which earlier builds took as typed (`SMSS`). They are kept and work as before — an app without
 * `SMS` cannot send — but the operator is told which to mend.
 */
export async function warnOfUnknownScopes(store: Store, log: Logger): Promise<void> {
  const odd = (await store.apps.list()).flatMap((app) => {
    const unknown = unknownScopes(app.scopes);
    return unknown.length === 0 ? [] : [{ appId: app.id, name: app.name, unknownScopes: unknown }];
  });
  if (odd.length === 0) return;
  log.warn(
    { apps: odd },
    `apps with scopes that are not the AT&T API platform's (${PLATFORM_SCOPES.join(', ')}): an app without SMS cannot send; set their scopes (PATCH /admin/v1/apps/{id}, switchboard app update APP_ID --scopes SMS, or the console)`,
  );
}

/**
 * Operator management of apps and short codes, shared by the admin API and the CLI (which works
 * on the data dir directly). Every rule lives here; errors are OperatorErrors (400, 404, 409).
 */
export class AppAdmin {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(deps: { store: Store; clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  async createApp(input: NewApp): Promise<AppWithSecretView> {
    const realm = checkRealm(input.realm ?? 'sandbox');
    const now = this.#clock.now();
    const appSecret = newAppSecret();
    const app: AppRecord = {
      id: randomUUID(),
      name: checkName(input.name),
      appKey: newAppKey(),
      secretHash: await hashSecret(appSecret),
      scopes: checkScopes(input.scopes ?? [SMS_SCOPE]),
      realm,
      suspended: false,
      deliveryStatusUrl: input.deliveryStatusUrl == null ? null : checkListenerUrl('deliveryStatusUrl', input.deliveryStatusUrl, realm),
      signingSecret: newSigningSecret(),
      ratePerSecond: checkRate('ratePerSecond', input.ratePerSecond ?? null),
      ratePerDay: checkRate('ratePerDay', input.ratePerDay ?? null),
      createdAt: now,
      updatedAt: now,
    };
    await this.#store.apps.create(app);
    return withSecret(appView(app), appSecret);
  }

  async listApps(): Promise<AppView[]> {
    return (await this.#store.apps.list()).map(appView);
  }

  async getApp(id: string): Promise<AppDetailView> {
    const app = await this.#app(id);
    const shortCodes = await this.#store.shortCodes.listByApp(id);
    return { ...appView(app), shortCodes: shortCodes.map(shortCodeView) };
  }

  async updateApp(id: string, patch: AppPatch): Promise<AppView> {
    const app = await this.#app(id);
    const changes: { -readonly [K in keyof AppChanges]: AppChanges[K] } = {};
    if (patch.name !== undefined) changes.name = checkName(patch.name);
    if (patch.scopes !== undefined) changes.scopes = checkScopes(patch.scopes, app.scopes);
    if (patch.suspended !== undefined) changes.suspended = patch.suspended;
    if (patch.deliveryStatusUrl !== undefined) {
      changes.deliveryStatusUrl = patch.deliveryStatusUrl === null ? null : checkListenerUrl('deliveryStatusUrl', patch.deliveryStatusUrl, app.realm);
    }
    if (patch.ratePerSecond !== undefined) changes.ratePerSecond = checkRate('ratePerSecond', patch.ratePerSecond);
    if (patch.ratePerDay !== undefined) changes.ratePerDay = checkRate('ratePerDay', patch.ratePerDay);
    const updated = await this.#store.apps.update(id, changes, this.#clock.now());
    if (updated === undefined) throw noApp(id);
    return appView(updated);
  }

  async deleteApp(id: string): Promise<void> {
    if (!(await this.#store.apps.delete(id))) throw noApp(id);
  }

  /** A new App Secret, shown once; the old one stops working and every token of the app is revoked. */
  async rotateSecret(id: string): Promise<AppWithSecretView> {
    const appSecret = newAppSecret();
    if (!(await this.#store.apps.rotateSecret(id, await hashSecret(appSecret), this.#clock.now()))) throw noApp(id);
    return withSecret(appView(await this.#app(id)), appSecret);
  }

  async addShortCode(appId: string, input: NewShortCode): Promise<ShortCodeView> {
    const app = await this.#app(appId);
    const code = checkShortCode(input.shortCode);
    const listener = input.listenerUrl ?? null;
    const moDelivery = input.moDelivery ?? (listener === null ? 'poll' : 'callback');
    if (moDelivery !== 'poll' && moDelivery !== 'callback') throw invalid('moDelivery must be poll or callback');
    if (moDelivery === 'callback' && listener === null) throw invalid('moDelivery callback requires a listenerUrl');
    if (moDelivery === 'poll' && listener !== null) throw invalid('listenerUrl is only used with moDelivery callback');
    const record: ShortCodeRecord = {
      code,
      appId: app.id,
      moDelivery,
      listenerUrl: listener === null ? null : checkListenerUrl('listenerUrl', listener, app.realm),
      createdAt: this.#clock.now(),
    };
    if (!(await this.#store.shortCodes.claim(record))) {
      throw new OperatorError(409, 'short_code_taken', `short code ${code} already belongs to an app`);
    }
    return shortCodeView(record);
  }

  async listShortCodes(appId: string): Promise<ShortCodeView[]> {
    await this.#app(appId);
    return (await this.#store.shortCodes.listByApp(appId)).map(shortCodeView);
  }

  async removeShortCode(appId: string, code: string): Promise<void> {
    await this.#app(appId);
    if (!(await this.#store.shortCodes.remove(appId, code))) {
      throw new OperatorError(404, 'not_found', `app ${appId} has no short code ${code}`);
    }
  }

  async #app(id: string): Promise<AppRecord> {
    const app = await this.#store.apps.get(id);
    if (app === undefined) throw noApp(id);
    return app;
  }
}

function withSecret(view: AppView, appSecret: string): AppWithSecretView {
  const { id, name, appKey, ...rest } = view;
  return { id, name, appKey, appSecret, ...rest };
}
