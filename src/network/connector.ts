/**
 * The port between the gateway core and a carrier network (the simulated network, or SMSCs over
 * SMPP). Core → connector: `start`, `submit`, `stop`. Connector → core: the `ConnectorEvents`
 * callbacks given to `start` (receipts, inbound messages, link state).
 */

/** One MT message to one destination, already segmented by the core. */
export interface SubmitRequest {
  /** Our recipient id: comes back on the receipt so it can be matched without a lookup. */
  readonly recipientId: string;
  /** The API message id (`SMS…`). */
  readonly messageId: string;
  /** Sender short code, digits only. */
  readonly from: string;
  /** Destination, E.164 (`+14255550100`). */
  readonly to: string;
  readonly text: string;
  readonly encoding: 'GSM7' | 'LATIN1' | 'UCS2';
  /** Segments the text needs (1 = no concatenation). */
  readonly segments: number;
  /** Whether the network should report the final delivery state. */
  readonly wantReceipt: boolean;
}

/**
 * The network's answer to a submit. Failures are classified where they happen (the connector knows
 * its protocol); whether and when to retry is decided by dispatch.
 */
export type SubmitResult =
  | { readonly ok: true; readonly networkId: string }
  | { readonly ok: false; readonly kind: 'temporary' | 'permanent'; readonly code: string; readonly detail: string };

/** Final (or intermediate) delivery state reported by the network for one submitted message. */
export interface Receipt {
  /** The connector's id for the message, as returned in `SubmitResult.networkId`. */
  readonly networkId: string;
  /** Our recipient id when the network carries it back (simulator); absent for SMSC receipts. */
  readonly recipientId?: string;
  readonly state: 'delivered' | 'undeliverable' | 'expired' | 'rejected' | 'enroute';
  readonly errorCode?: string;
  readonly at: number;
}

/** A whole (reassembled) MO message from a handset. */
export interface InboundMessage {
  /** Sender, E.164. */
  readonly from: string;
  /** Destination short code, digits only. */
  readonly to: string;
  readonly text: string;
  readonly receivedAt: number;
  /** The network's id for the message when it has one (used to deduplicate redeliveries). */
  readonly networkId?: string;
}

export interface ConnectorEvents {
  /** Must be persisted before it resolves: the connector acknowledges the network afterwards. */
  onReceipt(receipt: Receipt): Promise<void>;
  /** Must be persisted before it resolves: the connector acknowledges the network afterwards. */
  onInbound(message: InboundMessage): Promise<void>;
  /** Link went up or down; dispatch may wake waiting jobs when it comes back. */
  onStateChange(up: boolean): void;
  /**
   * A destination that could not take messages can now (a handset was switched on): dispatch
   * retries its waiting messages at once instead of at their next back-off.
   */
  onDestinationReady?(e164: string): void;
}

/** Whether a number can receive SMS on this network at all (checked at send time). */
export type DestinationCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'landline' | 'offnet' };

export interface Connector {
  readonly name: string;
  start(events: ConnectorEvents): Promise<void>;
  /**
   * Hands one message to the network. Resolves when the network accepted or refused it; must not
   * wait for delivery to the handset (that arrives later as a receipt).
   */
  submit(request: SubmitRequest): Promise<SubmitResult>;
  /** True while the connector can submit. */
  isUp(): boolean;
  /**
   * Optional: asks the network whether `e164` is a mobile subscriber, so Send SMS can refuse a
   * landline or off-net number up front (SVC0001). Networks that cannot tell (SMSCs) omit it.
   */
  checkDestination?(e164: string): Promise<DestinationCheck>;
  stop(): Promise<void>;
}
