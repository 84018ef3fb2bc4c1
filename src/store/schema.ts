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

export interface InstancesTable {
  id: string;
  host: string;
  pid: number;
  network: string;
  smsc: string | null;
  url: string;
  started_at: number;
  seen_at: number;
  /** JSON object: setting name → value (see instances/registry.ts); null from before 0087. */
  settings: string | null;
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
  created_at: number;
  /** Set once every recipient is final: the status is gone after this instant. */
  status_expires_at: number | null;
  /** 1 once the status was read after it became final (read-once rule). */
  status_consumed: number;
  /** OneAPI sends: JSON of the request's fields no other column holds (OneApiRequestFields); null on AT&T paths. */
  oneapi_request: string | null;
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

/**
 * The Idempotency-Key and clientCorrelator of a send, kept apart from its message (whose status may
 * be deleted long before) so that a repeat gets the first answer again.
 */
export interface IdempotencyKeysTable {
  message_id: string;
  app_id: string;
  idempotency_key: string | null;
  client_correlator: string | null;
  /** SHA-256 of the request as the client sent it: a repeat must match it to get the stored answer. */
  request_hash: string;
  /** JSON of the answer given at accept (status, Location, body). */
  response: string;
  /** Deleted after this instant (SWITCHBOARD_IDEMPOTENCY_RETENTION_S after the send). */
  expires_at: number;
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

export interface InboxMessagesTable {
  /** The MO message id (`MO` + 24 hex digits), shown as `MessageId`. */
  id: string;
  app_id: string;
  /** Destination short code, digits only. */
  short_code: string;
  /** Sender, E.164. */
  sender: string;
  text: string;
  received_at: number;
  /** Unpolled messages are purged after this instant (SWITCHBOARD_INBOX_RETENTION_S). */
  expires_at: number;
}

export interface MoPartsTable {
  /** Sender, E.164. */
  source: string;
  /** Short code, digits only. */
  destination: string;
  /** Concatenation reference from the UDH (8 or 16 bits). */
  reference: number;
  total: number;
  /** 1-based part number. */
  seq: number;
  /** Hex of the part's user data without UDH, decoded only once the set is whole. */
  payload: string;
  data_coding: number;
  received_at: number;
  /**
   * 1 when its bytes already reached the app or the operator: it repeats a part of a message
   * assembled within the tombstone window, or is what was left of a set given up on. Kept only in
   * case a new message reusing the reference has the same bytes there.
   */
  known: number;
}

export interface MoSeenTable {
  /** A network message id, or a part of a completed set (its tombstone); a repeat within the window is a no-op. */
  key: string;
  expires_at: number;
}

export interface UnroutedMoTable {
  id: string;
  short_code: string;
  sender: string;
  text: string;
  /** 'unknown-short-code' | 'incomplete' (parts of a long message that never completed). */
  reason: string;
  received_at: number;
}

export interface NotificationsTable {
  /** The event id (`X-Switchboard-Event-Id`), the same on every attempt. */
  id: string;
  app_id: string;
  /** 'mo' | 'dlr'. */
  kind: string;
  /**
   * Where the URL came from, so a replay can pick up an operator's fix: 'listener' (the short
   * code's listener), 'delivery-status-url' (the app's), 'client' (given by the app in the request).
   */
  target: string;
  short_code: string | null;
  url: string;
  content_type: string;
  body: string;
  created_at: number;
}

export interface SubscriptionsTable {
  id: string;
  app_id: string;
  /** 'inbound' | 'delivery-receipt'. */
  kind: string;
  /** The short code the subscription is about, digits only. */
  short_code: string;
  notify_url: string;
  callback_data: string | null;
  /** Inbound: a keyword the message's first word must match (null: every message). */
  criteria: string | null;
  /** criteriaKey(criteria): what routing looks a message's first word up by (null: no criteria). */
  criteria_key: string | null;
  /** 'JSON' | 'XML'. */
  format: string;
  client_correlator: string | null;
  /** The OneAPI version in the path it was created on ('1', '2', '3'), for its resource URL. */
  api_version: string;
  created_at: number;
}

export interface SmppMessagesTable {
  recipient_id: string;
  message_id: string;
  total: number;
  concat_ref: number;
  final_state: string | null;
  final_at: number | null;
  last_receipt_at: number | null;
  created_at: number;
}

export interface SmppPartsTable {
  recipient_id: string;
  part: number;
  smsc_id: string;
  id_key: string;
  id_dec: string | null;
  id_hex: string | null;
  state: string;
  error_code: string | null;
  submitted_at: number;
  receipt_at: number | null;
}

export interface SmppConcatRefsTable {
  e164: string;
  /** The concatenation reference last given to a multi-part message to `e164`. */
  ref: number;
  used_at: number;
}

export interface SmppHeldReceiptsTable {
  id: string;
  ids: string;
  state: string;
  stat: string;
  final: number;
  error_code: string | null;
  receipt_at: number;
  held_at: number;
  attempts: number;
  unmatched_at: number | null;
}

export interface SimSmscPartsTable {
  set_key: string;
  seq: number;
  total: number;
  message_id: string;
  registered_delivery: number;
  data_coding: number;
  payload: string;
  created_at: number;
}

export interface SimSmscMessagesTable {
  ref: string;
  system_id: string;
  parts: string;
  source: string;
  destination: string;
  preview: string;
  submitted_at: number;
}

/** A web console session: the cookie token is kept only as its SHA-256. */
export interface ConsoleSessionsTable {
  token_hash: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  /** The admin token's digest at sign-in (null: a session from before migration 0083). */
  admin_digest: string | null;
}

/** SQLite only: moved by triggers on every change to oauth_tokens, apps and short_codes (migration 0082). */
export interface GrantVersionTable {
  id: number;
  version: number;
}

export interface Database {
  apps: AppsTable;
  oauth_tokens: OauthTokensTable;
  short_codes: ShortCodesTable;
  jobs: JobsTable;
  meta: MetaTable;
  instances: InstancesTable;
  messages: MessagesTable;
  message_recipients: MessageRecipientsTable;
  idempotency_keys: IdempotencyKeysTable;
  rate_counters: RateCountersTable;
  handsets: HandsetsTable;
  handset_messages: HandsetMessagesTable;
  inbox_messages: InboxMessagesTable;
  mo_parts: MoPartsTable;
  mo_seen: MoSeenTable;
  unrouted_mo: UnroutedMoTable;
  notifications: NotificationsTable;
  subscriptions: SubscriptionsTable;
  console_sessions: ConsoleSessionsTable;
  smpp_messages: SmppMessagesTable;
  smpp_parts: SmppPartsTable;
  smpp_held_receipts: SmppHeldReceiptsTable;
  smpp_concat_refs: SmppConcatRefsTable;
  sim_smsc_parts: SimSmscPartsTable;
  sim_smsc_messages: SimSmscMessagesTable;
  grant_version: GrantVersionTable;
}
