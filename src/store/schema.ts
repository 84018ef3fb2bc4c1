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

export interface Database {
  apps: AppsTable;
  oauth_tokens: OauthTokensTable;
  short_codes: ShortCodesTable;
  jobs: JobsTable;
  meta: MetaTable;
}
