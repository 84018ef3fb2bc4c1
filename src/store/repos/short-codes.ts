/** How inbound (MO) messages to a short code reach its app. */
export type MoDelivery = 'poll' | 'callback';

/** A short code claimed by an app. A short code belongs to at most one app. */
export interface ShortCodeRecord {
  /** Digits only, e.g. `22627000`. */
  readonly code: string;
  readonly appId: string;
  /** `poll`: MO messages wait in the inbox; `callback`: they are POSTed to `listenerUrl`. */
  readonly moDelivery: MoDelivery;
  /** Set exactly when `moDelivery` is `callback`. */
  readonly listenerUrl: string | null;
  readonly createdAt: number;
}

/** Short codes and their inbound routing. */
export interface ShortCodeRepo {
  /** Claims a short code for its app; false (nothing written) when any app already holds it. */
  claim(record: ShortCodeRecord): Promise<boolean>;
  /** The short code's owner and routing (inbound routing looks codes up here). */
  get(code: string): Promise<ShortCodeRecord | undefined>;
  /** The app's short codes, in code order. */
  listByApp(appId: string): Promise<ShortCodeRecord[]>;
  /** Every app's short codes, in code order (read once at start-up, to warn of unusable ones). */
  list(): Promise<ShortCodeRecord[]>;
  /** Releases a short code held by `appId`; false when that app does not hold it. */
  remove(appId: string, code: string): Promise<boolean>;
}
