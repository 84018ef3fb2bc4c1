import type { ApiClient } from '../auth/access.js';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { NotifyRequest } from '../sms/send.js';

/**
 * How a OneAPI send is to report its delivery (contract §8, §11): its own `receiptRequest`, whose
 * notifyURL must pass the listener URL rules (https in production, never the gateway's own port;
 * else 400 SVC0002 `notifyURL`); without one, the app's newest delivery-receipt subscription on
 * the sender, with that subscription's callbackData; else none (the status is polled).
 */
export async function oneapiReceiptNotify(
  ctx: GatewayContext,
  client: ApiClient,
  sender: string,
  receipt: { readonly notifyUrl: string | null; readonly callbackData: string | null },
): Promise<NotifyRequest> {
  if (receipt.notifyUrl !== null) {
    const verdict = ctx.webhooks.checkListenerUrl(receipt.notifyUrl, client.realm);
    if (!verdict.ok) throw new ApiError('SVC0002', ['notifyURL']);
    return { mode: 'oneapi', url: verdict.url, callbackData: receipt.callbackData };
  }
  const subscription = await ctx.store.subscriptions.deliveryReceiptFor(client.appId, sender);
  if (subscription === undefined) return { mode: 'none' };
  return { mode: 'oneapi', url: subscription.notifyUrl, callbackData: subscription.callbackData };
}
