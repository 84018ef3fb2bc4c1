/**
 * The port between the gateway core and a carrier network (the simulated network, or SMSCs over
 * SMPP). Core → connector: `start`, `submit`, `stop`. Connector → core: the `ConnectorEvents`
 * callbacks given to `start` (receipts, inbound messages, link state).
 */
import type { DefaultAlphabet } from '../sms/encoding.js';

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
  /** As Send SMS chose it for this network (see Connector.defaultAlphabet). */
  readonly encoding: 'GSM7' | 'LATIN1' | 'UCS2';
  /** Segments the text needs (1 = no concatenation). */
  readonly segments: number;
  /** Whether the network should report the final delivery state. */
  readonly wantReceipt: boolean;
  /**
   * No earlier attempt at this recipient can have reached the network (dispatch's first claim of
   * its job), so there is nothing of one to look up; absent means there may be.
   */
  readonly firstAttempt?: boolean;
  /**
   * When this attempt's job may be claimed again (clock time): a connector that queues submits
   * hands back, as a temporary failure, those it could not send and have answered by then, or the
   * next attempt would send them a second time. Absent: no limit.
   */
  readonly heldUntil?: number;
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
  /**
   * 'uncertain': the network never reported a final state and the connector stopped waiting (an
   * SMSC's receipt that did not come within twice the network retry window).
   */
  readonly state: 'delivered' | 'undeliverable' | 'expired' | 'rejected' | 'uncertain' | 'enroute';
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

/**
 * One part of a concatenated MO message, for connectors that receive parts (SMPP deliver_sm with
 * a concatenation UDH or sar_* TLVs). The core persists it and reassembles the set in any order,
 * ignoring repeats (same from, to, reference, total and seq); a set still incomplete after
 * SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S is kept as an unrouted message for the operator.
 */
export interface InboundPart {
  /** Sender, E.164. */
  readonly from: string;
  /** Destination short code, digits only. */
  readonly to: string;
  /** Concatenation reference (8 or 16 bits). */
  readonly reference: number;
  readonly total: number;
  /** 1-based position in the set. */
  readonly seq: number;
  /** The part's user data with the UDH cut off; decoded once the set is whole (a character may straddle parts). */
  readonly payload: Uint8Array;
  /**
   * SMPP data_coding of the part (a text coding: 0, 1, 3, 8 or 0xF0–0xF3), as the SMSC means it:
   * its 0 comes as 1 (IA5) or 3 (Latin-1) when that is its default alphabet.
   */
  readonly dataCoding: number;
  readonly receivedAt: number;
}

export interface ConnectorEvents {
  /** Must be persisted before it resolves: the connector acknowledges the network afterwards. */
  onReceipt(receipt: Receipt): Promise<void>;
  /** Must be persisted before it resolves: the connector acknowledges the network afterwards. */
  onInbound(message: InboundMessage): Promise<void>;
  /**
   * One part of a long MO message; persisted before it resolves, like onInbound. The gateway
   * always provides it (optional only so partial event sets stay valid in tests).
   */
  onInboundPart?(part: InboundPart): Promise<void>;
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
  /**
   * Optional: what the network's GSM 7-bit (SMPP `data_coding` 0) is written in, when not GSM 03.38
   * (an SMSC that takes it as ASCII or Latin-1). Send SMS chooses a message's encoding with it, so
   * a text this alphabet cannot carry (`Δ` in ASCII) is stored, counted and sent as Latin-1 or
   * UCS-2. Absent: GSM 03.38.
   */
  readonly defaultAlphabet?: DefaultAlphabet;
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
  /**
   * Optional, at the start of a stop: refuse new submits and hand back those not yet sent, so the
   * dispatch's wait for its submits in flight covers only what the network already has (SMPP: a
   * stalled SMSC would otherwise be fed its queue one window at a time, a timeout each).
   */
  refuseSubmits?(): void;
  stop(): Promise<void>;
}
