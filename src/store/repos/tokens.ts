/** An OAuth token row. Only the SHA-256 of a token is stored, never the token. */
export interface TokenRecord {
  /** SHA-256 (hex) of the token. */
  readonly hash: string;
  readonly appId: string;
  readonly kind: 'access' | 'refresh';
  /** For an access token: the hash of the refresh token minted with it. */
  readonly parentHash: string | null;
  readonly scopes: readonly string[];
  /** Epoch ms; null = never expires. */
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly createdAt: number;
}

/**
 * An access token joined with the app it belongs to: everything an API request needs to know about
 * its app (authentication, throttling, the sender and delivery settings of a send) in one read.
 */
export interface AccessGrant {
  readonly token: TokenRecord;
  readonly app: {
    readonly id: string;
    readonly name: string;
    readonly realm: 'sandbox' | 'production';
    readonly suspended: boolean;
    /** The app's current scopes (an operator may have narrowed them since the token was issued). */
    readonly scopes: readonly string[];
    /** Send throttles; null means unlimited. */
    readonly ratePerSecond: number | null;
    readonly ratePerDay: number | null;
    /** Where delivery status notifications go (null: none). */
    readonly deliveryStatusUrl: string | null;
    /** The app's short codes, in code order (as `ShortCodeRepo.listByApp` gives them). */
    readonly shortCodes: readonly string[];
  };
}

/**
 * What `issuePair` did: `issued`; `client-changed`: the app is gone, suspended or has another
 * secret than the one the client was authenticated with; `grant-spent`: the refresh token it was
 * to replace is no longer live. Nothing is stored but on `issued`.
 */
export type IssueOutcome = 'issued' | 'client-changed' | 'grant-spent';

/** OAuth access and refresh tokens. */
export interface TokenRepo {
  /**
   * Stores a new refresh token and the access token minted with it in one transaction, if their
   * app (`access.appId`) still exists, is not suspended and still has `secretHash`, the secret
   * hash the client was authenticated against: a secret rotated, or an app suspended or deleted,
   * while the client's secret was being checked gets no token. A rotation or deletion waits for a
   * pair being stored, so the rotation revokes it. When `replaces` is given (refresh-token
   * rotation), that refresh token is revoked in the same transaction, and nothing is stored if it
   * was no longer live at `now`, so one refresh token can be redeemed only once even by
   * concurrent requests.
   */
  issuePair(access: TokenRecord, refresh: TokenRecord, now: number, secretHash: string, replaces?: string): Promise<IssueOutcome>;
  get(hash: string): Promise<TokenRecord | undefined>;
  /** The access token with this hash and its app, whatever its state (callers check expiry). */
  getAccessGrant(hash: string): Promise<AccessGrant | undefined>;
  /**
   * Revokes a token; revoking a refresh token also revokes the access tokens minted from it.
   * Only tokens of `appId` are touched. Returns how many rows were revoked.
   */
  revoke(hash: string, appId: string, now: number): Promise<number>;
  /** Deletes up to `limit` rows that expired or were revoked before `before` (bounded clean-up). */
  purge(before: number, limit: number): Promise<number>;
  /**
   * Keeps `appId`'s newest `keep` refresh tokens (by creation) and deletes up to `limit` older
   * ones, each with the access tokens minted from it. Returns how many rows were deleted.
   */
  trimApp(appId: string, keep: number, limit: number): Promise<number>;
}
