/** 'inbound': MO to a short code goes to the URL; 'delivery-receipt': sends from it report there. */
export type SubscriptionKind = 'inbound' | 'delivery-receipt';

/** A OneAPI subscription (contract §11). */
export interface SubscriptionRecord {
  readonly id: string;
  readonly appId: string;
  readonly kind: SubscriptionKind;
  /** Short code, digits only. */
  readonly shortCode: string;
  readonly notifyUrl: string;
  readonly callbackData: string | null;
  /** Inbound: the keyword a message's first word must match (case-insensitive); null matches all. */
  readonly criteria: string | null;
  readonly format: 'JSON' | 'XML';
  readonly clientCorrelator: string | null;
  /** OneAPI version of the path it was created on, for its resource URL. */
  readonly apiVersion: string;
  readonly createdAt: number;
}

/** The form in which a keyword and a message's first word are compared: case does not count. */
export function criteriaKey(word: string): string {
  return word.toLowerCase();
}

export interface SubscriptionRepo {
  /**
   * Stores a subscription. When the app already has one of this kind with the same
   * `clientCorrelator`, nothing is written and that one is returned (`created: false`). Throws
   * AppGoneError when the app no longer exists.
   */
  create(record: SubscriptionRecord): Promise<{ created: boolean; subscription: SubscriptionRecord }>;
  get(id: string): Promise<SubscriptionRecord | undefined>;
  /** Deletes the app's subscription of that kind; false when it has none with this id. */
  delete(appId: string, kind: SubscriptionKind, id: string): Promise<boolean>;
  /**
   * The inbound subscriptions of the short code's owner that could take a message whose first
   * word has the forms `keywords` (one or more, each as criteriaKey gives it): the newest whose
   * criteria is one of them, and the newest without criteria; newest first. However many the
   * short code has, the answer is these two at most.
   */
  inboundFor(shortCode: string, keywords: readonly string[]): Promise<SubscriptionRecord[]>;
  /** The app's newest delivery-receipt subscription for sends from `shortCode`. */
  deliveryReceiptFor(appId: string, shortCode: string): Promise<SubscriptionRecord | undefined>;
}
