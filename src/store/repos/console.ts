import type { DeliveryStatus, SendApi } from './messages.js';
import type { DeadLetter } from './notifications.js';
import type { InboxMessage, UnroutedMo } from './inbox.js';
import type { HandsetMessageRecord, HandsetRecord } from './handsets.js';

/** A signed-in web console session. The cookie carries the token; only its SHA-256 is stored. */
export interface ConsoleSession {
  readonly tokenHash: string;
  /** Sent in every form of the session and checked on every POST. */
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** SHA-256 of the admin token it signed in with (null: from before sessions kept it). */
  readonly adminDigest: string | null;
}

/** Filters of the console's lists; every one optional, combined with AND. */
export interface ConsoleFilter {
  readonly appId?: string;
  /** Digits only. */
  readonly shortCode?: string;
  /** E.164: a recipient (outbound) or a sender (inbound). */
  readonly number?: string;
  /** Outbound only: messages with at least one recipient in this state. */
  readonly status?: DeliveryStatus;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  readonly limit: number;
}

export interface OutboundRecipientView {
  readonly seq: number;
  readonly addressOriginal: string;
  readonly e164: string;
  readonly status: DeliveryStatus;
  readonly updatedAt: number;
}

/** An outbound message with its recipients, as the console lists them. */
export interface OutboundView {
  readonly id: string;
  readonly appId: string;
  readonly api: SendApi;
  readonly sender: string;
  readonly text: string;
  readonly encoding: string;
  readonly segments: number;
  readonly notifyMode: string;
  readonly createdAt: number;
  readonly recipients: readonly OutboundRecipientView[];
}

/** One line of a handset's thread: what it received (MT) and sent (MO), in arrival order. */
export interface ThreadMessage extends HandsetMessageRecord {
  /** Time-ordered: a thread changed when its newest id changed. */
  readonly id: string;
}

/**
 * What the web console reads and its sessions. Read-only views over other areas' tables, each
 * bounded by `limit` and served by an index, so a console page never scans a large table.
 */
export interface ConsoleRepo {
  createSession(session: ConsoleSession): Promise<void>;
  /** The session with this token hash, unless it expired. */
  session(tokenHash: string, now: number): Promise<ConsoleSession | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Deletes expired sessions; returns how many. */
  purgeSessions(now: number): Promise<number>;

  /** Outbound messages, newest first. */
  outbound(filter: ConsoleFilter): Promise<OutboundView[]>;
  /** MO messages waiting in poll inboxes (not yet taken by their app), newest first. */
  inbox(filter: ConsoleFilter): Promise<InboxMessage[]>;
  /** MO messages no app could take, newest first. */
  unrouted(filter: ConsoleFilter): Promise<UnroutedMo[]>;
  /** Dead-lettered notifications of every app (or one), newest first. */
  deadLetters(filter: ConsoleFilter): Promise<DeadLetter[]>;

  /** The newest `limit` messages a handset received or sent, oldest first. */
  thread(number: string, limit: number): Promise<ThreadMessage[]>;
  /** Numbers that received or sent something lately, the most recent first (at most `limit`). */
  recentHandsets(limit: number): Promise<string[]>;
  /** Handsets an operator changed (switched off, landline, off-net), most recently changed first. */
  changedHandsets(limit: number): Promise<HandsetRecord[]>;
}
