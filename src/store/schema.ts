/**
 * The tables as Kysely sees them. Timestamps are epoch milliseconds (`bigint` columns; the
 * PostgreSQL driver is told to return int8 as a number). Booleans are 0/1 integers so the same
 * queries run on SQLite and PostgreSQL.
 */
export interface AppsTable {
  id: string;
  name: string;
  app_key: string;
  secret_hash: string;
  /** JSON array of scope names, e.g. `["SMS"]`. */
  scopes: string;
  realm: string;
  suspended: number;
  delivery_status_url: string | null;
  signing_secret: string;
  rate_per_second: number | null;
  rate_per_day: number | null;
  created_at: number;
  updated_at: number;
}

export interface OauthTokensTable {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  token_hash: string;
  app_id: string;
  kind: 'access' | 'refresh';
  /** For an access token: the hash of the refresh token minted with it. */
  parent_hash: string | null;
  scopes: string;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface ShortCodesTable {
  code: string;
  app_id: string;
  mo_delivery: 'poll' | 'callback';
  listener_url: string | null;
  created_at: number;
}

export interface JobsTable {
  id: string;
  /** What the job does: 'submit' (MT to the network), 'webhook' (POST to an app), … */
  kind: string;
  /** The row the job works on (a recipient id, a notification id, …). */
  ref: string;
  /** Jobs of one queue (a listener origin, a short code) can be limited and ordered together. */
  queue: string | null;
  payload: string | null;
  state: 'ready' | 'dead';
  run_at: number;
  attempts: number;
  locked_by: string | null;
  locked_until: number | null;
  /** After this instant the job is not retried any more (the retry window). */
  deadline_at: number;
  last_error: string | null;
  created_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface MessagesTable {
  /** `SMS` + 16 lowercase hex digits. */
  id: string;
  app_id: string;
  /** Which API accepted it: 'att-v3' | 'att-v2' | 'oneapi-1' | 'oneapi-2' | 'oneapi-3'. */
  api: string;
  /** Sender short code, digits only. */
  sender: string;
  text: string;
  encoding: string;
  segments: number;
  /** 'none' (status is polled) | 'att' (notifyDeliveryStatus) | 'oneapi' (receiptRequest). */
  notify_mode: string;
  notify_url: string | null;
  callback_data: string | null;
  client_correlator: string | null;
  idempotency_key: string | null;
  /** SHA-256 of the normalised request: a replay must match it to get the stored answer. */
  request_hash: string;
  /** JSON of the answer given at accept (status, Location, body), replayed for idempotent repeats. */
  response: string;
  created_at: number;
  /** Set once every recipient is final: the status is gone after this instant. */
  status_expires_at: number | null;
  /** 1 once the status was read after it became final (read-once rule). */
  status_consumed: number;
}

export interface MessageRecipientsTable {
  id: string;
  message_id: string;
  /** 0-based position in the request; the API shows it as `msg0`, `msg1`, … */
  seq: number;
  /** The caller's own spelling, echoed in `DeliveryInfo.Address`. */
  address_original: string;
  e164: string;
  status: string;
  network_id: string | null;
  final_at: number | null;
  updated_at: number;
}

export interface RateCountersTable {
  app_id: string;
  /** 's' (per second) or 'd' (per UTC day). */
  period: string;
  period_start: number;
  count: number;
  expires_at: number;
}

export interface HandsetsTable {
  /** E.164. A number without a row is an on-line AT&T mobile. */
  number: string;
  online: number;
  kind: string;
  updated_at: number;
}

export interface HandsetMessagesTable {
  /** Time-ordered: sorting by id gives arrival order. */
  id: string;
  number: string;
  direction: 'MT' | 'MO';
  /** The other end: the sender short code of an MT, the destination of an MO. */
  peer: string;
  text: string;
  encoding: string;
  segments: number;
  /** Unique per delivered MT (our recipient id or the network id), so a re-submit shows once. */
  ref: string | null;
  received_at: number;
}

export interface Database {
  apps: AppsTable;
  oauth_tokens: OauthTokensTable;
  short_codes: ShortCodesTable;
  jobs: JobsTable;
  meta: MetaTable;
  messages: MessagesTable;
  message_recipients: MessageRecipientsTable;
  rate_counters: RateCountersTable;
  handsets: HandsetsTable;
  handset_messages: HandsetMessagesTable;
}
