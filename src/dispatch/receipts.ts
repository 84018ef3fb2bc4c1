import type { FastifyBaseLogger } from 'fastify';
import type { Receipt } from '../network/connector.js';
import type { FinalizeResult, FinalStatus, DlrNotificationBuilder } from '../store/repos/messages.js';
import type { Store } from '../store/store.js';

export interface ReceiptDeps {
  readonly store: Store;
  readonly log: FastifyBaseLogger;
  readonly statusRetentionMs: number;
  readonly notify: DlrNotificationBuilder;
  /** Called after a recipient turned final (e.g. to wake the notifier when a job was added). */
  readonly onFinal: (result: FinalizeResult) => void;
}

const FINAL: Record<Receipt['state'], FinalStatus | null> = {
  delivered: 'DeliveredToTerminal',
  undeliverable: 'DeliveryImpossible',
  expired: 'DeliveryImpossible',
  rejected: 'DeliveryImpossible',
  uncertain: 'DeliveryUncertain',
  enroute: null,
};

/**
 * Applies a network receipt: the recipient's final state and, when its message asked for one, the
 * notification job, in one transaction. Resolves only once that is durable (the connector then
 * acknowledges the network). A repeated receipt changes nothing; an intermediate one is ignored.
 */
export function receiptHandler(deps: ReceiptDeps): (receipt: Receipt) => Promise<void> {
  return async (receipt) => {
    const status = FINAL[receipt.state];
    if (status === null) return;
    const target = receipt.recipientId !== undefined ? { recipientId: receipt.recipientId } : { networkId: receipt.networkId };
    const done = await deps.store.messages.finalize(target, status, receipt.at, deps.statusRetentionMs, deps.notify);
    if (done === undefined) deps.log.debug({ networkId: receipt.networkId }, 'receipt for no pending recipient (repeat, or unknown)');
    else deps.onFinal(done);
  };
}
