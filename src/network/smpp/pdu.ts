/**
 * The edge of the `smpp` codec: the only file besides `session.ts` that touches its objects. Builds
 * the PDUs we send from explicit Buffers and reads the ones we receive into plain typed records.
 *
 * The codec's text handling is switched off here, once, for the whole process (dependencies.md §3):
 * its auto-detect labels GSM text as IA5 and turns unknown characters into '@' (defect 3), its
 * decoder drops the UDH length byte (defect 5) and mis-tests the coding (defect 6). With the
 * `short_message` and `message_payload` filters replaced by pass-through, payloads cross the codec
 * as the raw octets we encoded with src/sms/encoding.ts, and come back as the raw octets the peer
 * sent, which we decode ourselves per `data_coding`.
 */
import smpp from 'smpp';

export type Pdu = smpp.PDU;

const passThrough = { encode: (value: unknown) => value, decode: (value: unknown) => value };
for (const command of Object.values(smpp.commands)) {
  const field = command.params?.['short_message'];
  if (field) field.filter = passThrough;
}
const payloadTlv = smpp.tlvs['message_payload'];
if (payloadTlv) payloadTlv.filter = passThrough;

/** SMPP 3.4 command_status values we act on (§5.1.3). */
export const STATUS = {
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RINVCMDID: 0x03,
  RINVBNDSTS: 0x04,
  RALYBND: 0x05,
  RSYSERR: 0x08,
  RINVSRCADR: 0x0a,
  RINVDSTADR: 0x0b,
  RINVSRCTON: 0x48,
  RINVSRCNPI: 0x49,
  RINVDSTTON: 0x50,
  RINVDSTNPI: 0x51,
  RBINDFAIL: 0x0d,
  RINVPASWD: 0x0e,
  RINVSYSID: 0x0f,
  RMSGQFUL: 0x14,
  RINVSYSTYP: 0x53,
  RSUBMITFAIL: 0x45,
  RTHROTTLED: 0x58,
  RX_T_APPN: 0x64,
  RX_P_APPN: 0x65,
} as const;

/** `esm_class` bits (§5.2.12). */
export const ESM_CLASS = {
  UDHI: 0x40,
  /** Bits 2–5: message type. 0001 = SMSC delivery receipt, 1000 = intermediate notification. */
  TYPE_MASK: 0x3c,
  TYPE_RECEIPT: 0x04,
  TYPE_INTERMEDIATE: 0x20,
} as const;

export const SMPP_VERSION_34 = 0x34;

const statusNames = new Map<number, string>(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

/** `ESME_RTHROTTLED` for 0x58; unknown codes as hex (`0x00000401`, vendor range). */
export function statusName(code: number): string {
  return statusNames.get(code) ?? `0x${code.toString(16).padStart(8, '0')}`;
}

export function newPdu(command: string, fields: Record<string, unknown> = {}): Pdu {
  return new smpp.PDU(command, fields);
}

export interface Address {
  readonly ton: number;
  readonly npi: number;
  readonly addr: string;
}

/** The type of number and numbering plan written for each kind of address (SMSCs differ). */
export interface Numbering {
  readonly number: { readonly ton: number; readonly npi: number };
  readonly shortCode: { readonly ton: number; readonly npi: number };
}

/**
 * By default E.164 goes out as international/ISDN (1/1) and a short code as network-specific/
 * unknown (3/0), which is how most carriers label their short codes; some want others
 * (SWITCHBOARD_SMPP_SHORT_CODE_TON and the like).
 */
export const DEFAULT_NUMBERING: Numbering = { number: { ton: 0x01, npi: 0x01 }, shortCode: { ton: 0x03, npi: 0x00 } };

/** SMPP addressing for our numbers: E.164 without its '+', or a short code as it is. */
export function addressOf(value: string, numbering: Numbering = DEFAULT_NUMBERING): Address {
  if (value.startsWith('+')) return { ...numbering.number, addr: value.slice(1) };
  return { ...numbering.shortCode, addr: value };
}

export interface SubmitSmFields {
  readonly source: Address;
  readonly destination: Address;
  readonly esmClass: number;
  readonly dataCoding: number;
  readonly registeredDelivery: number;
  /** User data including any UDH (then `esmClass` has UDHI). Empty when `messagePayload` is used. */
  readonly shortMessage: Buffer;
  readonly messagePayload?: Buffer;
}

/** The fields a submit_sm and a deliver_sm share (the codec writes them in the PDU's own order). */
function messageFields(f: Pick<SubmitSmFields, 'source' | 'destination' | 'esmClass' | 'dataCoding' | 'shortMessage'>): Record<string, unknown> {
  return {
    source_addr_ton: f.source.ton,
    source_addr_npi: f.source.npi,
    source_addr: f.source.addr,
    dest_addr_ton: f.destination.ton,
    dest_addr_npi: f.destination.npi,
    destination_addr: f.destination.addr,
    esm_class: f.esmClass,
    data_coding: f.dataCoding,
    short_message: f.shortMessage,
  };
}

export function submitSmPdu(f: SubmitSmFields): Pdu {
  const fields = messageFields(f);
  fields['registered_delivery'] = f.registeredDelivery;
  if (f.messagePayload) fields['message_payload'] = f.messagePayload;
  return newPdu('submit_sm', fields);
}

/** What we read from a `deliver_sm` or `data_sm` (receipt or MO). */
export interface DeliverSm {
  readonly command: 'deliver_sm' | 'data_sm';
  readonly source: Address;
  readonly destination: Address;
  readonly esmClass: number;
  readonly dataCoding: number;
  readonly shortMessage: Buffer;
  readonly messagePayload: Buffer | undefined;
  readonly receiptedMessageId: string | undefined;
  readonly messageState: number | undefined;
  /** `network_error_code` TLV: type octet + 2-octet code. */
  readonly networkErrorCode: Buffer | undefined;
  /** SAR TLVs, the alternative to a concatenation UDH. */
  readonly sar: { ref: number; total: number; seq: number } | undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1').replace(/\0+$/, '');
  return undefined;
}

function buf(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'latin1');
  return undefined;
}

export function readDeliverSm(pdu: Pdu): DeliverSm {
  const ref = num(pdu['sar_msg_ref_num']);
  const total = num(pdu['sar_total_segments']);
  const seq = num(pdu['sar_segment_seqnum']);
  return {
    command: pdu.command === 'data_sm' ? 'data_sm' : 'deliver_sm',
    source: { ton: num(pdu['source_addr_ton']) ?? 0, npi: num(pdu['source_addr_npi']) ?? 0, addr: str(pdu['source_addr']) ?? '' },
    destination: {
      ton: num(pdu['dest_addr_ton']) ?? 0,
      npi: num(pdu['dest_addr_npi']) ?? 0,
      addr: str(pdu['destination_addr']) ?? '',
    },
    esmClass: num(pdu['esm_class']) ?? 0,
    dataCoding: num(pdu['data_coding']) ?? 0,
    shortMessage: buf(pdu['short_message']) ?? Buffer.alloc(0),
    messagePayload: buf(pdu['message_payload']),
    receiptedMessageId: str(pdu['receipted_message_id']),
    messageState: num(pdu['message_state']),
    networkErrorCode: buf(pdu['network_error_code']),
    sar: ref !== undefined && total !== undefined && seq !== undefined ? { ref, total, seq } : undefined,
  };
}

/** Reads the fields a simulator SMSC needs from a `submit_sm`. */
export interface SubmitSm {
  readonly source: Address;
  readonly destination: Address;
  readonly esmClass: number;
  readonly dataCoding: number;
  readonly registeredDelivery: number;
  readonly shortMessage: Buffer;
  readonly messagePayload: Buffer | undefined;
  readonly sar: { ref: number; total: number; seq: number } | undefined;
}

export function readSubmitSm(pdu: Pdu): SubmitSm {
  const d = readDeliverSm(pdu);
  return {
    source: d.source,
    destination: d.destination,
    esmClass: d.esmClass,
    dataCoding: d.dataCoding,
    registeredDelivery: num(pdu['registered_delivery']) ?? 0,
    shortMessage: d.shortMessage,
    messagePayload: d.messagePayload,
    sar: d.sar,
  };
}

export function deliverSmPdu(f: {
  source: Address;
  destination: Address;
  esmClass: number;
  dataCoding: number;
  shortMessage: Buffer;
  receiptedMessageId?: string;
  messageState?: number;
  networkErrorCode?: Buffer;
}): Pdu {
  const fields = messageFields(f);
  if (f.receiptedMessageId !== undefined) fields['receipted_message_id'] = f.receiptedMessageId;
  if (f.messageState !== undefined) fields['message_state'] = f.messageState;
  if (f.networkErrorCode !== undefined) fields['network_error_code'] = f.networkErrorCode;
  return newPdu('deliver_sm', fields);
}

/** The `message_id` of a submit_sm_resp / deliver_sm_resp, or '' when absent. */
export function messageIdOf(pdu: Pdu): string {
  return str(pdu['message_id']) ?? '';
}

export function systemIdOf(pdu: Pdu): string {
  return str(pdu['system_id']) ?? '';
}

export function passwordOf(pdu: Pdu): string {
  return str(pdu['password']) ?? '';
}

export function isBindCommand(command: string): command is 'bind_transceiver' | 'bind_transmitter' | 'bind_receiver' {
  return command === 'bind_transceiver' || command === 'bind_transmitter' || command === 'bind_receiver';
}
