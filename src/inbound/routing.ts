import type { IncomingMo, MoDisposition } from '../store/repos/inbox.js';
import type { ShortCodeRecord } from '../store/repos/short-codes.js';
import { criteriaKey, type SubscriptionRecord } from '../store/repos/subscriptions.js';
import { attMoCallback, oneapiInboundNotification, serialize } from '../webhooks/bodies.js';
import { listenerQueue } from '../webhooks/slots.js';

/** What routing needs to know about the destination short code, looked up before recording. */
export interface RouteContext {
  /** The short code's registration, or undefined when no app holds it. */
  readonly shortCode: ShortCodeRecord | undefined;
  /**
   * OneAPI inbound subscriptions on the short code that could take the message: the owner's for
   * its keywordsOf (SubscriptionRepo.inboundFor). Others are ignored.
   */
  readonly subscriptions: readonly SubscriptionRecord[];
  readonly now: number;
  readonly inboxRetentionMs: number;
  readonly webhookWindowMs: number;
}

/**
 * The forms of a message's first word a subscription's criteria may equal (as criteriaKey gives
 * them): the word as typed, and without the punctuation around it, as handsets type "Join," or
 * "STOP!"; distinct.
 */
export function keywordsOf(text: string): string[] {
  const word = criteriaKey(text.trim().split(/\s+/)[0] ?? '');
  const bare = word.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
  return bare === word ? [word] : [word, bare];
}

/**
 * The owner's inbound subscription a message belongs to: one whose criteria equals one of the
 * message's keywordsOf first, else one without criteria; the newest of each kind wins.
 */
export function pickSubscription(text: string, appId: string, subscriptions: readonly SubscriptionRecord[]): SubscriptionRecord | undefined {
  const own = subscriptions.filter((s) => s.appId === appId && s.kind === 'inbound');
  const keywords = keywordsOf(text);
  return own.find((s) => s.criteria !== null && keywords.includes(criteriaKey(s.criteria))) ?? own.find((s) => s.criteria === null);
}

/**
 * Where an MO message goes (design §1): unknown short code → unrouted (kept for the operator);
 * an inbound subscription of the owner → its notifyURL in the OneAPI form (§11); a callback-mode
 * short code → its listener in the AT&T form (§7.1); otherwise the poll inbox (§5), purged
 * `inboxRetentionMs` after arrival if nobody polls.
 */
export function routeMo(mo: IncomingMo, c: RouteContext): MoDisposition {
  const code = c.shortCode;
  if (code === undefined) return { kind: 'unrouted', reason: 'unknown-short-code' };
  const notify = (target: 'listener' | 'client', url: string, body: Record<string, unknown>, format: 'JSON' | 'XML'): MoDisposition => {
    const { contentType, text } = serialize(body, format);
    return {
      kind: 'notify',
      notification: {
        id: mo.id,
        appId: code.appId,
        kind: 'mo',
        target,
        shortCode: mo.to,
        url,
        contentType,
        body: text,
        createdAt: c.now,
        queue: listenerQueue(url),
        deadlineAt: c.now + c.webhookWindowMs,
      },
    };
  };
  const subscription = pickSubscription(mo.text, code.appId, c.subscriptions);
  if (subscription !== undefined) {
    return notify('client', subscription.notifyUrl, oneapiInboundNotification(mo, subscription.callbackData), subscription.format);
  }
  if (code.moDelivery === 'callback' && code.listenerUrl !== null) return notify('listener', code.listenerUrl, attMoCallback(mo), 'JSON');
  return { kind: 'inbox', appId: code.appId, expiresAt: c.now + c.inboxRetentionMs };
}
