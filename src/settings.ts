/**
 * Every environment variable Switchboard reads: the gateway, the CLI and the simulator SMSC take
 * their names from this one list (config.ts's readers accept no other), and a `SWITCHBOARD_*`
 * name in the environment that is not in it is refused at start: a misspelt setting would
 * otherwise leave its default in force without a word (Kannel refuses an unknown field likewise).
 */
export const SETTINGS = [
  'HOST',
  'PORT',
  'LOG_LEVEL',
  'SWITCHBOARD_ADMIN_TOKEN',
  'SWITCHBOARD_APP_SECRET',
  'SWITCHBOARD_AUTH_FAILURES_PER_MINUTE',
  'SWITCHBOARD_BODY_LIMIT_BYTES',
  'SWITCHBOARD_CONSOLE_SESSION_TTL_S',
  'SWITCHBOARD_DATABASE_POOL_SIZE',
  'SWITCHBOARD_DATABASE_QUERY_TIMEOUT_MS',
  'SWITCHBOARD_DATABASE_RETRY_MS',
  'SWITCHBOARD_DATABASE_URL',
  'SWITCHBOARD_DATA_DIR',
  'SWITCHBOARD_DEAD_LETTER_RETENTION_S',
  'SWITCHBOARD_DISPATCH_CONCURRENCY',
  'SWITCHBOARD_DISPATCH_YIELD_MS',
  'SWITCHBOARD_IDEMPOTENCY_RETENTION_S',
  'SWITCHBOARD_INBOX_BATCH_SIZE',
  'SWITCHBOARD_INBOX_RETENTION_S',
  'SWITCHBOARD_JOB_LEASE_MS',
  'SWITCHBOARD_MAX_RECIPIENTS',
  'SWITCHBOARD_MAX_TOKENS_PER_APP',
  'SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S',
  'SWITCHBOARD_NETWORK',
  'SWITCHBOARD_NETWORK_RETRY_WINDOW_S',
  'SWITCHBOARD_PUBLIC_URL',
  'SWITCHBOARD_REFRESH_TOKEN_TTL_S',
  'SWITCHBOARD_REQUEST_TIMEOUT_MS',
  'SWITCHBOARD_RETRY_BASE_MS',
  'SWITCHBOARD_RETRY_CAP_MS',
  'SWITCHBOARD_SIM_DELIVERY_DELAY_MS',
  'SWITCHBOARD_SIM_MESSAGE_RETENTION_S',
  'SWITCHBOARD_SIM_SMPP_CUT_EVERY',
  'SWITCHBOARD_SIM_SMPP_DROP_RATE',
  'SWITCHBOARD_SIM_SMPP_ERROR_RATE',
  'SWITCHBOARD_SIM_SMPP_ID_FORM',
  'SWITCHBOARD_SIM_SMPP_PASSWORD',
  'SWITCHBOARD_SIM_SMPP_PORT',
  'SWITCHBOARD_SIM_SMPP_RECEIPTS',
  'SWITCHBOARD_SIM_SMPP_RECEIPT_DELAY_MS',
  'SWITCHBOARD_SIM_SMPP_RECEIPT_ID_FORM',
  'SWITCHBOARD_SIM_SMPP_RECEIPT_OUTCOMES',
  'SWITCHBOARD_SIM_SMPP_THROTTLE_TPS',
  'SWITCHBOARD_SIM_SMPP_TLS_CERT',
  'SWITCHBOARD_SIM_SMPP_TLS_KEY',
  'SWITCHBOARD_SIM_SMPP_TLV_ID_FORM',
  'SWITCHBOARD_SMPP_BINDS',
  'SWITCHBOARD_SMPP_BIND_MODE',
  'SWITCHBOARD_SMPP_CREDENTIALS_RETRY_MS',
  'SWITCHBOARD_SMPP_DEFAULT_ALPHABET',
  'SWITCHBOARD_SMPP_ENQUIRE_LINK_MS',
  'SWITCHBOARD_SMPP_MESSAGE_PAYLOAD',
  'SWITCHBOARD_SMPP_NUMBER_NPI',
  'SWITCHBOARD_SMPP_NUMBER_TON',
  'SWITCHBOARD_SMPP_PART_RECEIPT_GRACE_S',
  'SWITCHBOARD_SMPP_RECEIPT_HOLD_S',
  'SWITCHBOARD_SMPP_RECEIPT_KEEP_S',
  'SWITCHBOARD_SMPP_RECEIPT_RETRY_MS',
  'SWITCHBOARD_SMPP_RECONNECT_BASE_MS',
  'SWITCHBOARD_SMPP_RECONNECT_CAP_MS',
  'SWITCHBOARD_SMPP_RESPONSE_TIMEOUT_MS',
  'SWITCHBOARD_SMPP_SHORT_CODE_NPI',
  'SWITCHBOARD_SMPP_SHORT_CODE_TON',
  'SWITCHBOARD_SMPP_SYSTEM_TYPE',
  'SWITCHBOARD_SMPP_THROTTLE_BACKOFF_MS',
  'SWITCHBOARD_SMPP_THROTTLE_GIVE_UP_MS',
  'SWITCHBOARD_SMPP_TLS_CA',
  'SWITCHBOARD_SMPP_TLS_CERT',
  'SWITCHBOARD_SMPP_TLS_KEY',
  'SWITCHBOARD_SMPP_TPS',
  'SWITCHBOARD_SMPP_URL',
  'SWITCHBOARD_SMPP_WINDOW',
  'SWITCHBOARD_SQLITE_SYNCHRONOUS',
  'SWITCHBOARD_STATUS_RETENTION_S',
  'SWITCHBOARD_TLS_CERT',
  'SWITCHBOARD_TLS_KEY',
  'SWITCHBOARD_TOKEN_TTL_S',
  'SWITCHBOARD_TRUST_PROXY',
  'SWITCHBOARD_UNROUTED_RETENTION_S',
  'SWITCHBOARD_URL',
  'SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES',
  'SWITCHBOARD_WEBHOOK_CONCURRENCY',
  'SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S',
  'SWITCHBOARD_WEBHOOK_TIMEOUT_MS',
] as const;

export type Setting = (typeof SETTINGS)[number];

const KNOWN: ReadonlySet<string> = new Set(SETTINGS);

/** The prefix of the names that are ours: any other variable (PATH, NODE_OPTIONS …) is none of our business. */
const OURS = 'SWITCHBOARD_';

/**
 * The test runner's own variables (SWITCHBOARD_TEST_STORE, SWITCHBOARD_TEST_DATABASE_URL …), which
 * the gateways and CLIs the tests start inherit: never the gateway's, so never refused.
 */
const TEST_RUNNER = 'SWITCHBOARD_TEST_';

/**
 * Edits (insert, delete, replace, swap two neighbours) from one name to the other: a swap counts
 * once, as the typo it usually is (NETWROK for NETWORK).
 */
function distance(a: string, b: string): number {
  const width = b.length + 1;
  const d: number[] = [];
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) {
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        d[i * width + j] = i + j;
        continue;
      }
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The setting a name that is none most likely meant: a few edits away at most (fewer for short
 * names), else undefined. Compared in upper case, and the settings without our prefix (PORT …)
 * with it too, so that `Switchboard_Port` finds PORT.
 */
function nearest(name: string): Setting | undefined {
  const upper = name.toUpperCase();
  const allowed = Math.min(3, Math.max(1, Math.floor((upper.length - OURS.length) / 4)));
  let best: { setting: Setting; edits: number } | undefined;
  for (const setting of SETTINGS) {
    const edits = distance(upper, setting.startsWith(OURS) ? setting : OURS + setting);
    if (edits <= allowed && (best === undefined || edits < best.edits)) best = { setting, edits };
  }
  return best?.setting;
}

/** A `SWITCHBOARD_*` variable that is set and no setting, with the setting it most likely meant. */
export interface UnknownSetting {
  readonly name: string;
  readonly nearest: Setting | undefined;
  /** Not all upper case: Linux's variable names are case-sensitive, so `switchboard_network` is not SWITCHBOARD_NETWORK. */
  readonly wrongCase: boolean;
}

/**
 * Every variable of `env` whose name starts with `SWITCHBOARD_` in any case and that is set and
 * no setting, by name, each with the setting it most likely meant: an operator mends them all in
 * one go. An empty one is an unset one, as everywhere in the configuration. The test runner's
 * names are left alone in any case: which names it reads is its business, not the gateway's.
 */
export function unknownSettings(env: Readonly<Record<string, string | undefined>>): UnknownSetting[] {
  return Object.keys(env)
    .filter((n) => {
      const upper = n.toUpperCase();
      return upper.startsWith(OURS) && !upper.startsWith(TEST_RUNNER) && !KNOWN.has(n) && env[n] !== undefined && env[n] !== '';
    })
    .sort()
    .map((name) => ({ name, nearest: nearest(name), wrongCase: name !== name.toUpperCase() }));
}
