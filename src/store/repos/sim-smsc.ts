/**
 * The simulator SMSC's durable state (tables from migration 0031): parts of concatenated submits
 * waiting for their set, and the messages it handed to the simulated network, which its receipts
 * are written for.
 */

export interface SimSmscPart {
  /** system_id, source, destination, reference and total of the set. */
  readonly setKey: string;
  readonly seq: number;
  readonly total: number;
  /** The id this part got in its submit_sm_resp. */
  readonly messageId: string;
  readonly registeredDelivery: number;
  readonly dataCoding: number;
  /** The part's user data, UDH included. */
  readonly payload: Uint8Array;
  readonly createdAt: number;
}

export interface SimSmscMessage {
  /** The reference the network delivers (and reports receipts) under. */
  readonly ref: string;
  readonly systemId: string;
  /** Each part's submit_sm_resp id and registered_delivery, in part order. */
  readonly parts: ReadonlyArray<{ readonly id: string; readonly registeredDelivery: number }>;
  /** As the ESME addressed it: the short code and the destination digits. */
  readonly source: string;
  readonly destination: string;
  /** First characters of the text, for the receipt's `text:` field. */
  readonly preview: string;
  readonly submittedAt: number;
}

export interface SimSmscRepo {
  /** Stores (or replaces, on a resubmit) one part; returns every stored part of its set, by seq. */
  addPart(part: SimSmscPart): Promise<SimSmscPart[]>;
  /** The set went to the network: its parts are no longer needed. */
  dropSet(setKey: string): Promise<void>;
  recordMessage(message: SimSmscMessage): Promise<void>;
  forgetMessage(ref: string): Promise<void>;
  message(ref: string): Promise<SimSmscMessage | undefined>;
  /** Deletes the parts of incomplete sets stored before `partsBefore` and the messages submitted before `messagesBefore`. */
  prune(cutoffs: { readonly partsBefore: number; readonly messagesBefore: number }): Promise<number>;
}
