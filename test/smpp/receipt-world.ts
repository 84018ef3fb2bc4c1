import type { SmppRepo } from '../../src/store/repos/smpp.js';
import { ReceiptSendingSmsc } from './fake-smsc.js';
import { notificationSink, type NotificationSink, smppGateway, type SmppWorld } from './world.js';

/** A gateway bound to an SMSC that sends each receipt right behind its submit_sm_resp, with its notifications' listener. */
export interface ReceiptWorld {
  readonly smsc: ReceiptSendingSmsc;
  readonly sink: NotificationSink;
  readonly world: SmppWorld;
  /** Puts the store's own part write back, stops the gateway, the SMSC and the listener. */
  close(): Promise<void>;
}

/**
 * A ReceiptWorld whose store writes each SMSC-accepted part through `recordPart` (a slow or
 * failing store at that moment), given the store's own write. Runs on the store of the pass
 * (startTestGateway via smppGateway).
 */
export async function receiptWorld(recordPart: (own: SmppRepo['recordPart'], ...args: Parameters<SmppRepo['recordPart']>) => Promise<void>): Promise<ReceiptWorld> {
  const smsc = await new ReceiptSendingSmsc('after').start();
  const sink = await notificationSink();
  const world = await smppGateway(smsc.port, {}, sink.url);
  // On the class: the store's metrics proxy keeps the method it first saw (none has been called yet).
  const repo = Object.getPrototypeOf(world.gw.gateway.ctx.store.smpp) as SmppRepo;
  const own: SmppRepo['recordPart'] = Reflect.get(repo, 'recordPart');
  repo.recordPart = function (this: SmppRepo, ...args) {
    return recordPart((...a) => own.apply(this, a), ...args);
  };
  return {
    smsc,
    sink,
    world,
    async close() {
      repo.recordPart = own;
      await world.gw.close();
      await smsc.stop();
      await sink.close();
    },
  };
}
