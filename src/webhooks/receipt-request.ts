import type { ApiClient } from '../auth/access.js';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { NotifyRequest, ReceiptRequest } from '../sms/send.js';

/**
 * A OneAPI send's own `receiptRequest` (contract §8, §11): its notifyURL must pass the listener
 * URL rules (https in production, never the gateway's own port; else 400 SVC0002 `notifyURL`).
 */
export function oneapiReceiptRequest(
  ctx: GatewayContext,
  client: ApiClient,
  receipt: { readonly notifyUrl: string | null; readonly callbackData: string | null },
): ReceiptRequest {
  if (receipt.notifyUrl === null) return { mode: 'none' };
  const verdict = ctx.webhooks.checkListenerUrl(receipt.notifyUrl, client.realm);
  if (!verdict.ok) throw new ApiError('SVC0002', ['notifyURL']);
  return { mode: 'oneapi', url: verdict.url, callbackData: receipt.callbackData };
}

/**
 * Where a OneAPI send reports its delivery (§11): to its `receiptRequest`; without one, to the
 * app's newest delivery-receipt subscription on the sender, with that subscription's
 * callbackData; else nowhere (the status is polled).
 */
export async function oneapiReceiptTarget(ctx: GatewayContext, appId: string, sender: string, receipt: ReceiptRequest): Promise<NotifyRequest> {
  if (receipt.mode === 'oneapi') return receipt;
  const subscription = await ctx.store.subscriptions.deliveryReceiptFor(appId, sender);
  if (subscription === undefined) return { mode: 'none' };
  return { mode: 'oneapi', url: subscription.notifyUrl, callbackData: subscription.callbackData };
}
