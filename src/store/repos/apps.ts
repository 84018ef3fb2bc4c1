/** Where an app lives: `sandbox` allows http listener URLs, `production` requires https. */
export type Realm = 'sandbox' | 'production';

/** A registered app (an OAuth client) as the store keeps it. */
export interface AppRecord {
  readonly id: string;
  readonly name: string;
  /** The OAuth `client_id`. */
  readonly appKey: string;
  /** scrypt hash of the App Secret (`scrypt$N$r$p$salt$hash`); the secret itself is never stored. */
  readonly secretHash: string;
  /** Upper-case scope names, e.g. `['SMS']`. */
  readonly scopes: readonly string[];
  readonly realm: Realm;
  readonly suspended: boolean;
  /** Where delivery status notifications go (null: none). */
  readonly deliveryStatusUrl: string | null;
  /**
   * HMAC key for the signatures on webhooks sent to this app. Stored in plain text on purpose: the
   * webhook signer must be able to read it back, so it cannot be hashed like the App Secret.
   */
  readonly signingSecret: string;
  /** Send throttles; null means unlimited. */
  readonly ratePerSecond: number | null;
  readonly ratePerDay: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type AppWithShortCodes = AppRecord & { readonly shortCodes: readonly string[] };

/** The fields an operator may change after creation. */
export interface AppChanges {
  readonly name?: string;
  readonly scopes?: readonly string[];
  readonly suspended?: boolean;
  readonly deliveryStatusUrl?: string | null;
  readonly ratePerSecond?: number | null;
  readonly ratePerDay?: number | null;
}

/** Apps (OAuth clients). */
export interface AppRepo {
  create(app: AppRecord): Promise<void>;
  get(id: string): Promise<AppRecord | undefined>;
  /**
   * Looks an app up by its App Key (the OAuth `client_id`), with its short codes in code order, in
   * one read: a request authenticated with the app's secret sees the app and its codes as they
   * were together (a deleted app's codes are not seen gone while the app is seen).
   */
  getByKey(appKey: string): Promise<AppWithShortCodes | undefined>;
  /** Every app, oldest first. */
  list(): Promise<AppRecord[]>;
  /** Applies `changes`; returns the updated app, or undefined when there is no such app. */
  update(id: string, changes: AppChanges, now: number): Promise<AppRecord | undefined>;
  /**
   * Replaces the secret hash and revokes every token of the app in one transaction, so nothing
   * obtained with the old secret outlives the rotation. False when there is no such app.
   */
  rotateSecret(id: string, secretHash: string, now: number): Promise<boolean>;
  /** Deletes the app with its tokens and short codes. False when there is no such app. */
  delete(id: string): Promise<boolean>;
}
