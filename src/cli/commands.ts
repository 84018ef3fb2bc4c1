import type { ParseArgsConfig } from 'node:util';
import { rotateAdminToken } from '../auth/admin-token.js';
import type { AppPatch, NewApp } from '../auth/apps.js';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import type { AdminClient } from './admin-client.js';
import type { GatewayClient } from './gateway-client.js';
import { gatewayCommands } from './gateway-commands.js';

/** A usage mistake (unknown command or option, missing argument): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Values = Record<string, string | boolean | undefined>;

export interface CommandInput {
  readonly values: Values;
  readonly positionals: readonly string[];
}

/** Where a command acts: the store itself, an admin client (store or `--url`), or the server process. */
export type CommandKind =
  | { readonly kind: 'admin'; run(client: AdminClient, input: CommandInput): Promise<unknown> }
  | {
      readonly kind: 'store';
      /** Refuse a SQLite data dir without a store, rather than create an empty one to act on. */
      readonly existingStore?: boolean;
      /** `migrated`: the migrations the opening of the store applied. */
      run(store: Store, config: Config, warn: (line: string) => void, input: CommandInput, migrated: readonly string[]): Promise<unknown>;
    }
  | { readonly kind: 'serve' }
  /** Another long-running process (resolves once it is started; it stops on SIGTERM). */
  | { readonly kind: 'process'; run(input: CommandInput): Promise<void> }
  /** A running gateway's public surfaces over HTTP (--url): `sms send`, `handset show|send`. */
  | { readonly kind: 'gateway'; run(gateway: GatewayClient, input: CommandInput): Promise<unknown> };

export interface Command {
  /** The words that name it, e.g. `app create`. */
  readonly name: string;
  /** Arguments after the name, as shown in help. */
  readonly args: string;
  readonly summary: string;
  /** Extra help lines (options, examples). */
  readonly details?: readonly string[];
  readonly options?: ParseArgsConfig['options'];
  /** Names of the required positional arguments, in order. */
  readonly positionals?: readonly string[];
  readonly action: CommandKind;
}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A whole number ≥ 1, or `none` (→ null, unlimited). */
function rate(values: Values, name: string): number | null | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (v === 'none') return null;
  if (!/^0*[1-9]\d*$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--${name} expects a whole number of at least 1 or "none", got "${v}"`);
  return Number(v);
}

/** The option (or argument) of each field the admin layer names in its refusals. */
const FIELD_OPTIONS: Readonly<Record<string, string>> = {
  name: '--name',
  realm: '--realm',
  scopes: '--scopes',
  deliveryStatusUrl: '--delivery-status-url',
  ratePerSecond: '--rate-per-second',
  ratePerDay: '--rate-per-day',
  shortCode: 'CODE',
  moDelivery: '--mo-delivery',
  listenerUrl: '--listener-url',
};

/**
 * The admin layer's refusal of a value (400: `realm must be sandbox or production`, or through
 * --url `body/realm must be one of …`) as the usage error it is, in the CLI's terms: `--realm
 * must be …`. The same refusal on the store and through --url, so both exit 2.
 */
export function refusedValue(message: string): UsageError {
  const option = (field: string) => FIELD_OPTIONS[field] ?? field;
  // A field names itself as a message's first word, and a camelCase one anywhere; elsewhere `name`
  // and `realm` are words (`invalid scope name`, `in the production realm`).
  const camel = Object.keys(FIELD_OPTIONS).filter((f) => /[A-Z]/.test(f));
  const worded = message
    .replace(/^(?:body\/)?(\w+)/, (first, field: string) => (field in FIELD_OPTIONS ? option(field) : first))
    .replace(new RegExp(`\\b(${camel.join('|')})\\b`, 'g'), option);
  return new UsageError(worded);
}

/** A URL, or `none` (→ null). */
function nullableUrl(values: Values, name: string): string | null | undefined {
  const v = str(values, name);
  return v === 'none' ? null : v;
}

const appOptions = {
  scopes: { type: 'string' },
  'delivery-status-url': { type: 'string' },
  'rate-per-second': { type: 'string' },
  'rate-per-day': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const appOptionHelp = [
  '--scopes LIST                 comma-separated scopes (default SMS; also MMS, IMMN, SPEECH and the other AT&T platform scopes)',
  '--delivery-status-url URL     where delivery status notifications go ("none" clears it)',
  '--rate-per-second N           requests per second: Send SMS and delivery status ("none" = unlimited, the default)',
  '--rate-per-day N              requests per UTC day: Send SMS and delivery status ("none" = unlimited, the default)',
];

function suspend(suspended: boolean): CommandKind {
  return { kind: 'admin', run: (client, { positionals }) => client.updateApp(positionals[0] ?? '', { suspended }) };
}

/** Every command, in the order `switchboard --help` lists them. */
export const COMMANDS: readonly Command[] = [
  {
    name: 'serve',
    args: '',
    summary: 'run the gateway (like npm start; settings from the environment)',
    action: { kind: 'serve' },
  },
  {
    name: 'smsc',
    args: '--port N',
    summary: 'run the simulated network alone as an SMPP 3.4 SMSC on 127.0.0.1:N, with /sim/v1 on HOST:PORT',
    details: ['--port N                      the SMPP port (required); carrier behaviour from the SWITCHBOARD_SIM_SMPP_* settings'],
    options: { port: { type: 'string' } },
    action: { kind: 'process', run: async (input) => (await import('../network/sim-smsc/standalone.js')).smscCommand(input.values) },
  },
  {
    name: 'migrate',
    args: '',
    summary: 'create or upgrade the store\'s tables (the gateway also does this at start)',
    // The runner migrates every store it opens; what is left is to say so, and what it applied.
    action: { kind: 'store', run: async (store, _config, _warn, _input, applied) => ({ migrated: true, engine: store.engine, applied }) },
  },
  {
    name: 'app create',
    args: '--name NAME [--realm sandbox|production] [options]',
    summary: 'register an app; prints its appKey and appSecret (the secret is shown only now)',
    details: ['--name NAME                   the app\'s name (required)', '--realm REALM                 sandbox (default: http listener URLs allowed) or production (https only)', ...appOptionHelp],
    options: { name: { type: 'string' }, realm: { type: 'string' }, ...appOptions },
    action: {
      kind: 'admin',
      run: (client, { values }) => {
        const name = str(values, 'name');
        if (name === undefined) throw new UsageError('app create needs --name NAME');
        const input: { -readonly [K in keyof NewApp]: NewApp[K] } = { name };
        const realm = str(values, 'realm');
        const scopes = str(values, 'scopes');
        const deliveryStatusUrl = nullableUrl(values, 'delivery-status-url');
        const ratePerSecond = rate(values, 'rate-per-second');
        const ratePerDay = rate(values, 'rate-per-day');
        if (realm !== undefined) input.realm = realm;
        if (scopes !== undefined) input.scopes = scopes.split(',');
        if (deliveryStatusUrl !== undefined) input.deliveryStatusUrl = deliveryStatusUrl;
        if (ratePerSecond !== undefined) input.ratePerSecond = ratePerSecond;
        if (ratePerDay !== undefined) input.ratePerDay = ratePerDay;
        return client.createApp(input);
      },
    },
  },
  {
    name: 'app list',
    args: '',
    summary: 'list every app (without secrets)',
    action: { kind: 'admin', run: (client) => client.listApps() },
  },
  {
    name: 'app show',
    args: 'APP_ID',
    summary: 'show one app and its short codes',
    positionals: ['APP_ID'],
    action: { kind: 'admin', run: (client, { positionals }) => client.getApp(positionals[0] ?? '') },
  },
  {
    name: 'app update',
    args: 'APP_ID [--name NAME] [options]',
    summary: 'change an app\'s name, scopes, delivery status URL or throttles',
    details: ['--name NAME                   a new name', ...appOptionHelp],
    options: { name: { type: 'string' }, ...appOptions },
    positionals: ['APP_ID'],
    action: {
      kind: 'admin',
      run: (client, { values, positionals }) => {
        const patch: { -readonly [K in keyof AppPatch]: AppPatch[K] } = {};
        const name = str(values, 'name');
        const scopes = str(values, 'scopes');
        const deliveryStatusUrl = nullableUrl(values, 'delivery-status-url');
        const ratePerSecond = rate(values, 'rate-per-second');
        const ratePerDay = rate(values, 'rate-per-day');
        if (name !== undefined) patch.name = name;
        if (scopes !== undefined) patch.scopes = scopes.split(',');
        if (deliveryStatusUrl !== undefined) patch.deliveryStatusUrl = deliveryStatusUrl;
        if (ratePerSecond !== undefined) patch.ratePerSecond = ratePerSecond;
        if (ratePerDay !== undefined) patch.ratePerDay = ratePerDay;
        if (Object.keys(patch).length === 0) throw new UsageError('app update needs at least one option to change');
        return client.updateApp(positionals[0] ?? '', patch);
      },
    },
  },
  {
    name: 'app rotate-secret',
    args: 'APP_ID',
    summary: 'replace the app\'s secret (printed once); its tokens are revoked',
    positionals: ['APP_ID'],
    action: { kind: 'admin', run: (client, { positionals }) => client.rotateSecret(positionals[0] ?? '') },
  },
  {
    name: 'app suspend',
    args: 'APP_ID',
    summary: 'suspend an app: no new tokens, and its tokens stop working',
    positionals: ['APP_ID'],
    action: suspend(true),
  },
  {
    name: 'app unsuspend',
    args: 'APP_ID',
    summary: 'lift a suspension',
    positionals: ['APP_ID'],
    action: suspend(false),
  },
  {
    name: 'app delete',
    args: 'APP_ID',
    summary: 'delete an app with its tokens, short codes and messages',
    positionals: ['APP_ID'],
    action: {
      kind: 'admin',
      run: async (client, { positionals }) => {
        await client.deleteApp(positionals[0] ?? '');
        return { deleted: positionals[0] };
      },
    },
  },
  {
    name: 'short-code add',
    args: 'APP_ID CODE [--listener-url URL] [--mo-delivery poll|callback]',
    summary: 'give a short code to an app; inbound messages are polled, or POSTed to --listener-url',
    details: [
      '--listener-url URL            deliver inbound messages to this URL (implies --mo-delivery callback)',
      '--mo-delivery MODE            poll (default without a listener URL) or callback',
    ],
    options: { 'listener-url': { type: 'string' }, 'mo-delivery': { type: 'string' } },
    positionals: ['APP_ID', 'CODE'],
    action: {
      kind: 'admin',
      run: (client, { values, positionals }) => {
        const listenerUrl = str(values, 'listener-url');
        const moDelivery = str(values, 'mo-delivery');
        return client.addShortCode(positionals[0] ?? '', {
          shortCode: positionals[1] ?? '',
          ...(listenerUrl === undefined ? {} : { listenerUrl }),
          ...(moDelivery === undefined ? {} : { moDelivery }),
        });
      },
    },
  },
  {
    name: 'short-code list',
    args: 'APP_ID',
    summary: 'list an app\'s short codes',
    positionals: ['APP_ID'],
    action: { kind: 'admin', run: (client, { positionals }) => client.listShortCodes(positionals[0] ?? '') },
  },
  {
    name: 'short-code remove',
    args: 'APP_ID CODE',
    summary: 'take a short code away from an app',
    positionals: ['APP_ID', 'CODE'],
    action: {
      kind: 'admin',
      run: async (client, { positionals }) => {
        await client.removeShortCode(positionals[0] ?? '', positionals[1] ?? '');
        return { removed: positionals[1], appId: positionals[0] };
      },
    },
  },
  {
    name: 'backup',
    args: 'FILE',
    summary: 'write a consistent copy of the SQLite store to FILE, also while gateways are running (PostgreSQL: use pg_dump)',
    details: ['FILE                          a new file (never overwritten); restore: stop the gateway, put FILE in the data dir as switchboard.db'],
    positionals: ['FILE'],
    action: {
      kind: 'store',
      existingStore: true,
      run: async (store, _config, _warn, { positionals }) => {
        if (store.backup === undefined) throw new UsageError('the store is PostgreSQL (SWITCHBOARD_DATABASE_URL): back it up with pg_dump');
        try {
          return { backup: await store.backup(positionals[0] ?? '') };
        } catch (err) {
          // Imported here, where the SQLite store has loaded it already: kysely under it costs every
          // other command (those on a running gateway, --help) a quarter second at start.
          const { BackupTargetError } = await import('../store/sqlite/backup.js');
          if (err instanceof BackupTargetError) throw new UsageError(err.message);
          throw err;
        }
      },
    },
  },
  {
    name: 'admin-token',
    args: '',
    summary: 'generate a new admin token, store its hash and print it once (the old one stops working)',
    action: {
      kind: 'store',
      run: async (store, config, warn) => {
        if (config.adminToken !== undefined) warn('SWITCHBOARD_ADMIN_TOKEN is set: the gateway accepts that token, not this one, while it stays set');
        return { adminToken: await rotateAdminToken(store) };
      },
    },
  },
  ...gatewayCommands((message) => new UsageError(message)),
];
