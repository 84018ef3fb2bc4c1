import { ConcatRefs } from '../../sms/concat-ref.js';
import { buildUserData, segmentText } from '../../sms/segment.js';
import type { Connector, ConnectorEvents, DestinationCheck, SubmitRequest, SubmitResult } from '../connector.js';
import type { SimulatedNetwork } from './network.js';

/** Receipts of MTs this connector submitted carry this origin. */
const ORIGIN = 'api';

/**
 * The gateway's Connector onto the in-process simulated network. Thin on purpose: it segments the
 * text the way an ESME would (UDH with a per-destination reference) and passes receipts, MO and
 * link state through; the handset model lives in SimulatedNetwork.
 */
export class SimulatorConnector implements Connector {
  readonly name = 'simulator';
  readonly #network: SimulatedNetwork;
  readonly #refs = new ConcatRefs();

  constructor(network: SimulatedNetwork) {
    this.#network = network;
  }

  async start(events: ConnectorEvents): Promise<void> {
    this.#network.onReceipt(ORIGIN, (r) => events.onReceipt({ networkId: r.networkId, recipientId: r.ref, state: r.state, at: r.at }));
    this.#network.onMo((mo) => events.onInbound({ from: mo.from, to: mo.to, text: mo.text, receivedAt: mo.receivedAt }));
    this.#network.onLinkChange((up) => events.onStateChange(up));
    this.#network.onHandsetReady((e164) => events.onDestinationReady?.(e164));
    await this.#network.start();
  }

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const message = segmentText(request.text, { encoding: request.encoding });
    const ref = message.segments.length > 1 ? this.#refs.next(request.to) : 0;
    const parts = buildUserData(message, ref);
    return this.#network.submitMt({
      origin: ORIGIN,
      ref: request.recipientId,
      from: request.from,
      to: request.to,
      dataCoding: message.dataCoding,
      parts,
      udhi: parts.length > 1,
      wantReceipt: request.wantReceipt,
    });
  }

  async checkDestination(e164: string): Promise<DestinationCheck> {
    const handset = await this.#network.handset(e164);
    return handset.kind === 'mobile' ? { ok: true } : { ok: false, reason: handset.kind };
  }

  isUp(): boolean {
    return this.#network.isUp();
  }

  async stop(): Promise<void> {
    await this.#network.stop();
  }
}
