import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { resolve } from 'node:path';
import { SETTINGS, type Setting, type UnknownSetting, unknownSettings } from './settings.js';
import { DEFAULT_ALPHABETS, type DefaultAlphabet } from './sms/encoding.js';
import { parseBlockedAddresses } from './webhooks/blocked-addresses.js';

/** Raised for a bad environment value; main prints its message as one line and exits 2. */
export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type NetworkKind = 'simulator' | 'smpp';
export type SqliteSynchronous = 'FULL' | 'NORMAL';
export type SmppBindMode = 'transceiver' | 'pair';
/** How the simulator SMSC writes a message id (see network/sim-smsc/id-form.ts). */
export type SimSmppIdForm = 'decimal' | 'hex' | 'hex-upper' | 'padded-decimal' | 'padded-hex';

export interface Config {
  readonly host: string;
  readonly port: number;
  /**
   * Which peers' `X-Forwarded-For` (and `-Proto`, `-Host`) to believe: false (none), a hop count,
   * or addresses, CIDR ranges and the names loopback, linklocal, uniquelocal (fastify's trustProxy).
   */
  readonly trustProxy: boolean | number | readonly string[];
  /**
   * Serve HTTPS with this certificate (chain) and key, PEM; the files are read again on SIGHUP.
   * Undefined: plain HTTP (behind a reverse proxy that terminates TLS).
   */
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly cert: string; readonly key: string } | undefined;
  /** Base of the resource URLs the API returns (`resourceURL`, `Location`). */
  readonly publicUrl: string;
  /** True when SWITCHBOARD_PUBLIC_URL was given (else publicUrl follows HOST and PORT). */
  readonly publicUrlSet: boolean;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** Connections each instance keeps to PostgreSQL at most. */
  readonly databasePoolSize: number;
  /** How long a statement waits for a PostgreSQL connection (at start: for the server) before giving up. */
  readonly databaseRetryMs: number;
  /** How long a statement may wait for PostgreSQL's answer; then 503 and the connection is dropped. */
  readonly databaseQueryTimeoutMs: number;
  readonly sqliteSynchronous: SqliteSynchronous;
  readonly adminToken: string | undefined;
  /** Lifetime of a web console sign-in (seconds). */
  readonly consoleSessionTtlS: number;
  /** Failed credential checks (app secret, admin token) one client address may make per minute; 0 = no limit. */
  readonly authFailuresPerMinute: number;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  /** How long a client may take to send a whole request (headers and body); then 408 and the connection is closed. */
  readonly requestTimeoutMs: number;
  readonly maxRecipients: number;
  readonly inboxBatchSize: number;
  readonly tokenTtlS: number;
  readonly refreshTokenTtlS: number;
  /** Token pairs an app keeps; issuing one more deletes its oldest (with their access tokens). */
  readonly maxTokensPerApp: number;
  readonly statusRetentionS: number;
  /** A send's Idempotency-Key and clientCorrelator are remembered this long after it, for a repeat. */
  readonly idempotencyRetentionS: number;
  readonly inboxRetentionS: number;
  /** MO to no app's short code is kept this long for the operator (`/admin/v1/unrouted`). */
  readonly unroutedRetentionS: number;
  /** A dead letter (a notification whose retry window ended) is kept this long for a replay. */
  readonly deadLetterRetentionS: number;
  readonly networkRetryWindowS: number;
  readonly webhookRetryWindowS: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly dispatchConcurrency: number;
  /** While HTTP requests wait for their answer, submits and simulated deliveries are claimed this often at most. */
  readonly dispatchYieldMs: number;
  /** How long a claimed job stays with its worker; a dead instance's jobs run elsewhere after this. */
  readonly jobLeaseMs: number;
  readonly webhookConcurrencyPerListener: number;
  readonly webhookTimeoutMs: number;
  /** Ranges (`address/prefix`) webhook POSTs must not reach; see webhooks/blocked-addresses.ts. */
  readonly webhookBlockedAddresses: readonly string[];
  readonly moReassemblyTimeoutS: number;
  readonly network: NetworkKind;
  /** SWITCHBOARD_SMPP_* settings given while the network is the simulator, which uses none of them (warned about at start). */
  readonly ignoredSmppSettings: readonly Setting[];
  readonly simDeliveryDelayMs: number;
  /** How long a simulated handset keeps the messages it received and sent. */
  readonly simMessageRetentionS: number;
  readonly simSmppPort: number | undefined;
  readonly simSmppPassword: string | undefined;
  /** The simulator SMSC serves SMPP over TLS with this certificate and key (PEM). */
  readonly simSmppTls: { readonly cert: string; readonly key: string } | undefined;
  readonly smpp: {
    readonly url: string | undefined;
    /** With an `smpps://` URL: what the TLS connection trusts and presents (PEM), and the files read again on SIGHUP; else undefined. */
    readonly tls: (SmppTls & { readonly files: SmppTlsFiles }) | undefined;
    readonly bindMode: SmppBindMode;
    readonly binds: number;
    readonly window: number;
    readonly throughputPerSecond: number;
    readonly useMessagePayload: boolean;
    /** What the SMSC takes `data_coding` 0 as (SMPP 3.4 leaves it to the SMSC): GSM 03.38 unless set. */
    readonly defaultAlphabet: DefaultAlphabet;
    readonly systemType: string;
    /** TON/NPI written for E.164 numbers and for short codes in submit_sm. */
    readonly numbering: {
      readonly number: { readonly ton: number; readonly npi: number };
      readonly shortCode: { readonly ton: number; readonly npi: number };
    };
    readonly responseTimeoutMs: number;
    readonly enquireLinkMs: number;
    readonly reconnectBaseMs: number;
    readonly reconnectCapMs: number;
    readonly credentialsRetryMs: number;
    readonly throttleBackoffMs: number;
    readonly throttleGiveUpMs: number;
    readonly receiptHoldS: number;
    /** How long a final recipient's part ids are kept, so that a repeated receipt still finds them. */
    readonly receiptKeepS: number;
    readonly receiptRetryMs: number;
    readonly partReceiptGraceS: number;
  };
  /** The simulator SMSC's carrier behaviour (only with SWITCHBOARD_SIM_SMPP_PORT). */
  readonly simSmpp: {
    readonly idForm: SimSmppIdForm;
    readonly receiptIdForm: SimSmppIdForm | 'same';
    readonly tlvIdForm: SimSmppIdForm | 'same' | 'none';
    readonly receiptDelayMs: number;
    /** Final `stat:` words with weights for messages the network delivered, e.g. `DELIVRD:90,UNDELIV:10`. */
    readonly receiptOutcomes: ReadonlyArray<{ readonly stat: string; readonly weight: number }>;
    readonly receipts: 'every-part' | 'last-part';
    readonly throttlePerSecond: number;
    readonly errorRatePercent: number;
    readonly dropRatePercent: number;
    readonly cutEvery: number;
  };
}

/** TLS for the binds: `ca` replaces the system's roots; `cert` and `key` are a client certificate. */
export interface SmppTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Where the binds' TLS settings are read from: SWITCHBOARD_SMPP_TLS_CA, _CERT and _KEY. */
export interface SmppTlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function str(env: Env, name: Setting, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function optional(env: Env, name: Setting): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A setting read outside this file (the CLI's SWITCHBOARD_URL, …): undefined when unset or empty. */
export const readSetting: (env: Env, name: Setting) => string | undefined = optional;

/**
 * Refuses the `SWITCHBOARD_*` variables that are no setting (see settings.ts), each on a line of
 * its own naming the setting it most likely meant. Every process that reads settings calls it
 * first (loadConfig does).
 */
export function checkSettingNames(env: Env): void {
  const [first, ...more] = unknownSettings(env);
  if (first === undefined) return;
  const why = (unknown: UnknownSetting): string =>
    `not a setting${unknown.wrongCase ? ', names are upper case' : ''} (${unknown.nearest === undefined ? 'README "Configuration" lists them' : `did you mean ${unknown.nearest}?`})`;
  throw new ConfigError(first.name, [why(first), ...more.map((unknown) => `${unknown.name}: ${why(unknown)}`)].join('\n'));
}

/** The lines a refusal is printed as: one per setting refused (checkSettingNames may name several). */
export function refusalLines(err: ConfigError): string[] {
  return err.message.split('\n').map((line) => `invalid configuration: ${line}`);
}

function int(env: Env, name: Setting, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(name, `expected a number from ${min} to ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: Setting, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.trim().toLowerCase());
  if (match === undefined) throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  return match;
}

function bool(env: Env, name: Setting, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

/**
 * Why WHATWG URL refused `raw`, for the parts that can be named without echoing the value (which
 * may hold a password): the port, an IPv6 host without its `]`, a character no host has.
 * Undefined for anything else.
 */
function whyNotUrl(raw: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(raw)?.[1];
  if (authority === undefined) return undefined;
  // The host and port follow the last @: a password may hold one.
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const m = /^(\[[^\]]*\]?|[^:]*)(?::(.*))?$/.exec(hostPort);
  const host = m?.[1] ?? '';
  const port = m?.[2];
  if (host.startsWith('[') && !host.endsWith(']')) return 'the host\'s IPv6 address has no closing ]';
  if (/[\s<>\\^|]/.test(host)) return 'the host has a character no host name has (a space, <, >, \\, ^ or |)';
  if (port !== undefined && port !== '') {
    if (!/^\d+$/.test(port)) return 'the port must be a number from 1 to 65535';
    if (Number(port) > 65535) return `the port must be 1 to 65535, got ${port}`;
  }
  return undefined;
}

function url(env: Env, name: Setting, protocols: readonly string[]): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // The value is not echoed: URL settings carry passwords, and this one could not be parsed to hide it.
    throw new ConfigError(name, whyNotUrl(raw) ?? `not a URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
  }
  return raw;
}

/** `user:password@` in a URL (also an empty one, `https://@host`, which URL's fields do not show). */
function hasUserinfo(raw: string, parsed: URL): boolean {
  return parsed.username !== '' || parsed.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(raw);
}

/**
 * SWITCHBOARD_PUBLIC_URL: the base every resourceURL and Location is built on, so it carries no
 * credentials (they would be handed to every client) and no query or fragment (the paths appended
 * to it would land inside them). Neither is echoed.
 */
function publicUrlSetting(env: Env): string | undefined {
  const name = 'SWITCHBOARD_PUBLIC_URL';
  const raw = url(env, name, ['http:', 'https:']);
  if (raw === undefined) return undefined;
  if (hasUserinfo(raw, new URL(raw))) {
    throw new ConfigError(name, 'must not carry a user name or password (user:password@): it would be in every resourceURL and Location the API answers');
  }
  if (raw.includes('?') || raw.includes('#')) throw new ConfigError(name, 'must not have a query or fragment (?… or #…): the API appends its paths to it');
  return raw;
}

function blockedAddresses(env: Env, name: Setting): readonly string[] {
  const verdict = parseBlockedAddresses(str(env, name, 'link-local'));
  if (!verdict.ok) throw new ConfigError(name, verdict.reason);
  return verdict.ranges;
}

const ID_FORMS = ['decimal', 'hex', 'hex-upper', 'padded-decimal', 'padded-hex'] as const;

const RECEIPT_STATS = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD', 'DELETED', 'UNKNOWN'] as const;

function outcomes(env: Env, name: Setting): Config['simSmpp']['receiptOutcomes'] {
  const raw = optional(env, name);
  if (raw === undefined) return [{ stat: 'DELIVRD', weight: 1 }];
  const list = raw.split(',').map((entry) => {
    const m = /^\s*([A-Za-z]+)\s*(?::\s*(\d+))?\s*$/.exec(entry);
    const stat = m?.[1]?.toUpperCase();
    if (!m || !stat || !(RECEIPT_STATS as readonly string[]).includes(stat)) {
      throw new ConfigError(name, `expected STAT:weight entries with STAT one of ${RECEIPT_STATS.join(', ')}, got "${raw}"`);
    }
    return { stat, weight: m[2] === undefined ? 1 : Number(m[2]) };
  });
  if (list.every((o) => o.weight === 0)) throw new ConfigError(name, 'at least one weight must be above 0');
  return list;
}

/**
 * A chosen admin token guards the admin API and the console: a short one could be guessed online,
 * even at `SWITCHBOARD_AUTH_FAILURES_PER_MINUTE` guesses per address. Generated ones are 48 hex digits.
 */
function adminToken(env: Env): string | undefined {
  const token = optional(env, 'SWITCHBOARD_ADMIN_TOKEN');
  if (token !== undefined && token.length < 16) {
    throw new ConfigError('SWITCHBOARD_ADMIN_TOKEN', `at least 16 characters, got ${token.length} (leave it unset to have one generated)`);
  }
  return token;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** SWITCHBOARD_TRUST_PROXY: checked here, where fastify would throw a bare TypeError at start. */
function trustProxy(env: Env): Config['trustProxy'] {
  const name = 'SWITCHBOARD_TRUST_PROXY';
  const raw = optional(env, name)?.trim().toLowerCase();
  if (raw === undefined || ['0', 'false', 'no', 'off'].includes(raw)) return false;
  if (['true', 'yes', 'on'].includes(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const goodPrefix = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (!PROXY_NAMES.includes(entry) && (family === 0 || !goodPrefix || extra !== undefined)) {
      throw new ConfigError(name, `expected true, false, a hop count, or addresses, CIDR ranges and ${PROXY_NAMES.join(', ')}, comma-separated; "${entry}" is none of these`);
    }
  }
  return entries;
}

/**
 * A PEM file named by a setting, read and checked at start: a missing or wrong file stops the start
 * with a line naming the setting, rather than failing every bind later.
 */
function readPem(path: string, name: Setting, kind: 'certificate' | 'key'): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(name, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (kind === 'key') {
    try {
      createPrivateKey(pem);
    } catch {
      throw new ConfigError(name, `${path} holds no PEM private key (or one with a passphrase)`);
    }
    return pem;
  }
  // Every certificate of a chain or bundle (OpenSSL would skip a broken one without a word); text
  // between them, such as a bundle's comments, is fine.
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigError(name, `${path} holds no PEM certificate`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new ConfigError(name, `certificate ${i + 1} of ${blocks.length} in ${path} does not parse`);
    }
  });
  return pem;
}

/** The paths of a certificate and its key, both named or neither. */
function pairFiles(env: Env, certName: Setting, keyName: Setting): { certFile: string; keyFile: string } | undefined {
  const certFile = optional(env, certName);
  const keyFile = optional(env, keyName);
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new ConfigError(certFile === undefined ? certName : keyName, `required with ${certFile === undefined ? keyName : certName}`);
  return { certFile, keyFile };
}

function certAndKey(env: Env, certName: Setting, keyName: Setting): { cert: string; key: string } | undefined {
  const files = pairFiles(env, certName, keyName);
  return files === undefined ? undefined : readCertAndKey({ ...files, certName, keyName });
}

/**
 * Reads a certificate (chain) and its key, checked as at start: each certificate parses, the key
 * is the certificate's. Also for a reload (SIGHUP); a ConfigError names the setting at fault.
 */
export function readCertAndKey(files: { certFile: string; keyFile: string; certName: Setting; keyName: Setting }): { cert: string; key: string } {
  const cert = readPem(files.certFile, files.certName, 'certificate');
  const key = readPem(files.keyFile, files.keyName, 'key');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(files.keyName, `is not the key of the certificate in ${files.certName} (${err instanceof Error ? err.message : String(err)})`);
  }
  return { cert, key };
}

/** What a log says about a certificate (the first of a chain): whose, by whom, until when, whether valid now. */
export function certificateSummary(pem: string, now = Date.now()): { subject: string; issuer: string; validTo: string; valid: boolean } {
  const cert = new X509Certificate(pem);
  const valid = Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
  return { subject: cert.subject.replace(/\n/g, ', '), issuer: cert.issuer.replace(/\n/g, ', '), validTo: new Date(cert.validTo).toISOString(), valid };
}

/** The HTTPS listener's certificate and key, with their paths (read again on SIGHUP). */
function httpsFiles(env: Env): Config['tls'] {
  const files = pairFiles(env, 'SWITCHBOARD_TLS_CERT', 'SWITCHBOARD_TLS_KEY');
  return files === undefined ? undefined : { ...readCertAndKey({ ...files, certName: 'SWITCHBOARD_TLS_CERT', keyName: 'SWITCHBOARD_TLS_KEY' }), ...files };
}

const SMPP_TLS_SETTINGS: readonly Setting[] = ['SWITCHBOARD_SMPP_TLS_CA', 'SWITCHBOARD_SMPP_TLS_CERT', 'SWITCHBOARD_SMPP_TLS_KEY'];

/** `smpps://` (or node-smpp's `ssmpp://`): SMPP over TLS. */
export function isTlsSmppUrl(smppUrl: string): boolean {
  const { protocol } = new URL(smppUrl);
  return protocol === 'smpps:' || protocol === 'ssmpp:';
}

function smppTls(env: Env, smppUrl: string | undefined): Config['smpp']['tls'] {
  if (smppUrl === undefined || !isTlsSmppUrl(smppUrl)) {
    const stray = SMPP_TLS_SETTINGS.find((name) => optional(env, name) !== undefined);
    if (stray !== undefined) throw new ConfigError(stray, 'only with an smpps:// SWITCHBOARD_SMPP_URL (SMPP over TLS)');
    return undefined;
  }
  const files = { caFile: optional(env, 'SWITCHBOARD_SMPP_TLS_CA'), ...pairFiles(env, 'SWITCHBOARD_SMPP_TLS_CERT', 'SWITCHBOARD_SMPP_TLS_KEY') };
  return { ...readSmppTls(files), files };
}

/** Reads the binds' TLS files, checked as at start (also for a reload on SIGHUP); a ConfigError names the setting at fault. */
export function readSmppTls(files: SmppTlsFiles): SmppTls {
  const ca = files.caFile === undefined ? undefined : readPem(files.caFile, 'SWITCHBOARD_SMPP_TLS_CA', 'certificate');
  const pair =
    files.certFile === undefined || files.keyFile === undefined
      ? undefined
      : readCertAndKey({ certFile: files.certFile, keyFile: files.keyFile, certName: 'SWITCHBOARD_SMPP_TLS_CERT', keyName: 'SWITCHBOARD_SMPP_TLS_KEY' });
  return { ca, ...pair };
}

function urlOf(https: boolean, host: string, port: number): string {
  return `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `http://host:port` of a listening address (an IPv6 one in brackets), `https://` with SWITCHBOARD_TLS_CERT. */
export function listenUrl(tls: Config['tls'], host: string, port: number): string {
  return urlOf(tls !== undefined, host, port);
}

/** The address a client on this machine calls a HOST by: loopback for every address (0.0.0.0, ::), else HOST itself. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  return host === '::' || host === '0:0:0:0:0:0:0:0' ? '::1' : host;
}

/**
 * The gateway this environment's HOST, PORT and SWITCHBOARD_TLS_CERT serve, as a client on this
 * machine reaches it: where the CLI's `sms` and `handset` commands go without --url, as its store
 * commands use this environment's store. Only these settings are read (not the certificate):
 * another setting being wrong is no reason not to reach the gateway.
 */
export function localGatewayUrl(env: Env = process.env): string {
  const port = int(env, 'PORT', 8080, 0, 65535);
  if (port === 0) throw new ConfigError('PORT', '0 (any free port) names no gateway to reach: give --url or SWITCHBOARD_URL');
  return urlOf(optional(env, 'SWITCHBOARD_TLS_CERT') !== undefined, reachableHost(str(env, 'HOST', '127.0.0.1')), port);
}

/** A text setting no longer than `max` characters (a protocol field's bound). */
function maxLength(name: Setting, value: string, max: number): string {
  if (value.length > max) throw new ConfigError(name, `at most ${max} characters, got ${value.length}`);
  return value;
}

/**
 * The SMSC's address, and its credentials within SMPP 3.4's bounds (§5.2: system_id 1 to 15
 * characters, password at most 8): an SMSC refuses longer ones (or one missing) at every bind, and
 * the gateway would retry for ever, as it would on port 0 or no host. The password is never echoed.
 */
function checkSmppUrl(smppUrl: string): void {
  const u = new URL(smppUrl);
  if (u.hostname === '') throw new ConfigError('SWITCHBOARD_SMPP_URL', 'names no host: smpp://system_id:password@host:port');
  if (u.port === '0') throw new ConfigError('SWITCHBOARD_SMPP_URL', 'the port must be 1 to 65535 (2775 when absent, 3550 with smpps): smpp://system_id:password@host:port');
  const systemId = decodeURIComponent(u.username);
  if (systemId === '' || systemId.length > 15) {
    throw new ConfigError('SWITCHBOARD_SMPP_URL', `the system_id (the URL's user) must be 1 to 15 characters (SMPP 3.4), got ${systemId.length}: smpp://system_id:password@host:port`);
  }
  if (decodeURIComponent(u.password).length > 8) {
    throw new ConfigError('SWITCHBOARD_SMPP_URL', 'the password must be at most 8 characters (SMPP 3.4)');
  }
}

/**
 * What an SMPP submit's job lease keeps after the submit's response timeout: time to store the
 * SMSC's answer before the job can be claimed again. A submit not written by the lease's end less
 * both is handed back unsent (see SmppConnector.submit).
 */
export const SMPP_LEASE_MARGIN_MS = 1000;

/** Reads and validates the whole configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  checkSettingNames(env);
  const host = str(env, 'HOST', '127.0.0.1');
  const port = int(env, 'PORT', 8080, 0, 65535);
  const tls = httpsFiles(env);
  const publicUrl = (publicUrlSetting(env) ?? listenUrl(tls, host, port)).replace(/\/+$/, '');
  const network = oneOf(env, 'SWITCHBOARD_NETWORK', ['simulator', 'smpp'] as const, 'simulator');
  const smppUrl = url(env, 'SWITCHBOARD_SMPP_URL', ['smpp:', 'smpps:', 'ssmpp:']);
  if (network === 'smpp' && smppUrl === undefined) {
    throw new ConfigError('SWITCHBOARD_SMPP_URL', 'required when SWITCHBOARD_NETWORK=smpp (smpp://system_id:password@host:port, or smpps:// over TLS)');
  }
  if (smppUrl !== undefined) checkSmppUrl(smppUrl);
  const simSmppPortRaw = optional(env, 'SWITCHBOARD_SIM_SMPP_PORT');
  const config: Config = {
    host,
    port,
    trustProxy: trustProxy(env),
    tls,
    publicUrl,
    publicUrlSet: optional(env, 'SWITCHBOARD_PUBLIC_URL') !== undefined,
    dataDir: resolve(str(env, 'SWITCHBOARD_DATA_DIR', './data')),
    databaseUrl: url(env, 'SWITCHBOARD_DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: int(env, 'SWITCHBOARD_DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseRetryMs: int(env, 'SWITCHBOARD_DATABASE_RETRY_MS', 5000, 0, 600000),
    databaseQueryTimeoutMs: int(env, 'SWITCHBOARD_DATABASE_QUERY_TIMEOUT_MS', 10000, 100, 3600000),
    sqliteSynchronous: oneOf(env, 'SWITCHBOARD_SQLITE_SYNCHRONOUS', ['FULL', 'NORMAL'] as const, 'FULL'),
    adminToken: adminToken(env),
    consoleSessionTtlS: int(env, 'SWITCHBOARD_CONSOLE_SESSION_TTL_S', 28800, 1),
    authFailuresPerMinute: int(env, 'SWITCHBOARD_AUTH_FAILURES_PER_MINUTE', 30),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    bodyLimitBytes: int(env, 'SWITCHBOARD_BODY_LIMIT_BYTES', 65536, 1024, 16 * 1024 * 1024),
    requestTimeoutMs: int(env, 'SWITCHBOARD_REQUEST_TIMEOUT_MS', 30000, 100, 600000),
    maxRecipients: int(env, 'SWITCHBOARD_MAX_RECIPIENTS', 50, 1, 10000),
    inboxBatchSize: int(env, 'SWITCHBOARD_INBOX_BATCH_SIZE', 100, 1, 10000),
    tokenTtlS: int(env, 'SWITCHBOARD_TOKEN_TTL_S', 172800),
    refreshTokenTtlS: int(env, 'SWITCHBOARD_REFRESH_TOKEN_TTL_S', 7776000, 1),
    maxTokensPerApp: int(env, 'SWITCHBOARD_MAX_TOKENS_PER_APP', 1000, 1),
    statusRetentionS: int(env, 'SWITCHBOARD_STATUS_RETENTION_S', 1800, 1),
    idempotencyRetentionS: int(env, 'SWITCHBOARD_IDEMPOTENCY_RETENTION_S', 86400, 1),
    inboxRetentionS: int(env, 'SWITCHBOARD_INBOX_RETENTION_S', 1800, 1),
    unroutedRetentionS: int(env, 'SWITCHBOARD_UNROUTED_RETENTION_S', 604800, 1),
    deadLetterRetentionS: int(env, 'SWITCHBOARD_DEAD_LETTER_RETENTION_S', 2592000, 1),
    networkRetryWindowS: int(env, 'SWITCHBOARD_NETWORK_RETRY_WINDOW_S', 259200, 1),
    webhookRetryWindowS: int(env, 'SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S', 259200, 1),
    retryBaseMs: int(env, 'SWITCHBOARD_RETRY_BASE_MS', 1000, 1),
    retryCapMs: int(env, 'SWITCHBOARD_RETRY_CAP_MS', 600000, 1),
    dispatchConcurrency: int(env, 'SWITCHBOARD_DISPATCH_CONCURRENCY', 32, 1, 10000),
    dispatchYieldMs: int(env, 'SWITCHBOARD_DISPATCH_YIELD_MS', 20, 0, 1000),
    jobLeaseMs: int(env, 'SWITCHBOARD_JOB_LEASE_MS', 60000, 100),
    webhookConcurrencyPerListener: int(env, 'SWITCHBOARD_WEBHOOK_CONCURRENCY', 8, 1, 1000),
    webhookTimeoutMs: int(env, 'SWITCHBOARD_WEBHOOK_TIMEOUT_MS', 10000, 1),
    webhookBlockedAddresses: blockedAddresses(env, 'SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES'),
    moReassemblyTimeoutS: int(env, 'SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S', 300, 1),
    network,
    ignoredSmppSettings: network === 'simulator' ? SETTINGS.filter((name) => name.startsWith('SWITCHBOARD_SMPP_') && optional(env, name) !== undefined) : [],
    simDeliveryDelayMs: int(env, 'SWITCHBOARD_SIM_DELIVERY_DELAY_MS', 50),
    simMessageRetentionS: int(env, 'SWITCHBOARD_SIM_MESSAGE_RETENTION_S', 604800, 1),
    simSmppPort: simSmppPortRaw === undefined ? undefined : int(env, 'SWITCHBOARD_SIM_SMPP_PORT', 0, 0, 65535),
    simSmppPassword: optional(env, 'SWITCHBOARD_SIM_SMPP_PASSWORD'),
    simSmppTls: certAndKey(env, 'SWITCHBOARD_SIM_SMPP_TLS_CERT', 'SWITCHBOARD_SIM_SMPP_TLS_KEY'),
    smpp: {
      url: smppUrl,
      tls: smppTls(env, smppUrl),
      bindMode: oneOf(env, 'SWITCHBOARD_SMPP_BIND_MODE', ['transceiver', 'pair'] as const, 'transceiver'),
      binds: int(env, 'SWITCHBOARD_SMPP_BINDS', 1, 1, 64),
      window: int(env, 'SWITCHBOARD_SMPP_WINDOW', 10, 1, 1000),
      throughputPerSecond: int(env, 'SWITCHBOARD_SMPP_TPS', 0),
      useMessagePayload: bool(env, 'SWITCHBOARD_SMPP_MESSAGE_PAYLOAD', false),
      defaultAlphabet: oneOf(env, 'SWITCHBOARD_SMPP_DEFAULT_ALPHABET', DEFAULT_ALPHABETS, 'gsm'),
      systemType: maxLength('SWITCHBOARD_SMPP_SYSTEM_TYPE', str(env, 'SWITCHBOARD_SMPP_SYSTEM_TYPE', ''), 12),
      // SMPP 3.4 §5.2.5–5.2.6: TON 0–6, NPI up to 18 (ERMES).
      numbering: {
        number: { ton: int(env, 'SWITCHBOARD_SMPP_NUMBER_TON', 1, 0, 6), npi: int(env, 'SWITCHBOARD_SMPP_NUMBER_NPI', 1, 0, 18) },
        shortCode: { ton: int(env, 'SWITCHBOARD_SMPP_SHORT_CODE_TON', 3, 0, 6), npi: int(env, 'SWITCHBOARD_SMPP_SHORT_CODE_NPI', 0, 0, 18) },
      },
      responseTimeoutMs: int(env, 'SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS', 10000, 1),
      enquireLinkMs: int(env, 'SWITCHBOARD_SMPP_ENQUIRE_LINK_MS', 30000),
      reconnectBaseMs: int(env, 'SWITCHBOARD_SMPP_RECONNECT_BASE_MS', 500, 1),
      reconnectCapMs: int(env, 'SWITCHBOARD_SMPP_RECONNECT_CAP_MS', 30000, 1),
      credentialsRetryMs: int(env, 'SWITCHBOARD_SMPP_CREDENTIALS_RETRY_MS', 60000, 1),
      throttleBackoffMs: int(env, 'SWITCHBOARD_SMPP_THROTTLE_BACKOFF_MS', 200, 1),
      throttleGiveUpMs: int(env, 'SWITCHBOARD_SMPP_THROTTLE_GIVE_UP_MS', 30000),
      receiptHoldS: int(env, 'SWITCHBOARD_SMPP_RECEIPT_HOLD_S', 600, 1),
      receiptKeepS: int(env, 'SWITCHBOARD_SMPP_RECEIPT_KEEP_S', 3600, 60),
      receiptRetryMs: int(env, 'SWITCHBOARD_SMPP_RECEIPT_RETRY_MS', 1000, 10),
      partReceiptGraceS: int(env, 'SWITCHBOARD_SMPP_PART_RECEIPT_GRACE_S', 300, 1),
    },
    simSmpp: {
      idForm: oneOf(env, 'SWITCHBOARD_SIM_SMPP_ID_FORM', ID_FORMS, 'decimal'),
      receiptIdForm: oneOf(env, 'SWITCHBOARD_SIM_SMPP_RECEIPT_ID_FORM', [...ID_FORMS, 'same'] as const, 'same'),
      tlvIdForm: oneOf(env, 'SWITCHBOARD_SIM_SMPP_TLV_ID_FORM', [...ID_FORMS, 'same', 'none'] as const, 'same'),
      receiptDelayMs: int(env, 'SWITCHBOARD_SIM_SMPP_RECEIPT_DELAY_MS', 0),
      receiptOutcomes: outcomes(env, 'SWITCHBOARD_SIM_SMPP_RECEIPT_OUTCOMES'),
      receipts: oneOf(env, 'SWITCHBOARD_SIM_SMPP_RECEIPTS', ['every-part', 'last-part'] as const, 'every-part'),
      throttlePerSecond: int(env, 'SWITCHBOARD_SIM_SMPP_THROTTLE_TPS', 0),
      errorRatePercent: int(env, 'SWITCHBOARD_SIM_SMPP_ERROR_RATE', 0, 0, 100),
      dropRatePercent: int(env, 'SWITCHBOARD_SIM_SMPP_DROP_RATE', 0, 0, 100),
      cutEvery: int(env, 'SWITCHBOARD_SIM_SMPP_CUT_EVERY', 0),
    },
  };
  // Otherwise no submit could ever be written in time (see SMPP_LEASE_MARGIN_MS).
  if (network === 'smpp' && config.jobLeaseMs <= config.smpp.responseTimeoutMs + SMPP_LEASE_MARGIN_MS) {
    throw new ConfigError(
      'SWITCHBOARD_JOB_LEASE_MS',
      `with SWITCHBOARD_NETWORK=smpp it must be longer than SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS (${config.smpp.responseTimeoutMs}) plus ${SMPP_LEASE_MARGIN_MS} ms, got ${config.jobLeaseMs}`,
    );
  }
  return Object.freeze(config);
}
