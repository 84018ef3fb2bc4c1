/**
 * The one place SMPP failures become the port's `SubmitResult` failures. Dispatch decides whether
 * and when to retry; this only says whether trying again later can help.
 *
 * Temporary (as Kannel's `smpp_status_to_smscconn_failure_reason` reads them): the SMSC is busy or
 * broken right now — ESME_RTHROTTLED, ESME_RMSGQFUL, ESME_RSYSERR, ESME_RX_T_APPN — plus our own
 * link failures: not bound, response timeout, connection lost, stopping. Everything else the SMSC
 * answers (invalid destination, invalid data coding, submit failed, …) is permanent: the same PDU
 * would be refused again.
 */
import { SmppError } from './errors.js';
import { STATUS, statusName } from './pdu.js';

export type SubmitFailure = { readonly ok: false; readonly kind: 'temporary' | 'permanent'; readonly code: string; readonly detail: string };

const TEMPORARY_STATUS = new Set<number>([STATUS.RTHROTTLED, STATUS.RMSGQFUL, STATUS.RSYSERR, STATUS.RX_T_APPN, STATUS.RINVBNDSTS]);

/** Refusals of our addressing, which the operator fixes with a setting: the message says which. */
const ADDRESSING_SETTING = new Map<number, string>([
  [STATUS.RINVSRCTON, 'SWITCHBOARD_SMPP_SHORT_CODE_TON'],
  [STATUS.RINVSRCNPI, 'SWITCHBOARD_SMPP_SHORT_CODE_NPI'],
  [STATUS.RINVDSTTON, 'SWITCHBOARD_SMPP_NUMBER_TON'],
  [STATUS.RINVDSTNPI, 'SWITCHBOARD_SMPP_NUMBER_NPI'],
]);

/**
 * A submit that did not get a message id: either the SMSC's non-zero command_status (submit_sm_resp
 * or generic_nack), or an error of ours — which is always temporary, the link will be back.
 *
 * @example classifyFailure(0x58) // { ok: false, kind: 'temporary', code: 'ESME_RTHROTTLED', … }
 * @example classifyFailure(0x0b) // { ok: false, kind: 'permanent', code: 'ESME_RINVDSTADR', … }
 */
export function classifyFailure(failure: unknown): SubmitFailure {
  if (typeof failure === 'number') {
    const code = statusName(failure);
    const setting = ADDRESSING_SETTING.get(failure);
    return {
      ok: false,
      kind: TEMPORARY_STATUS.has(failure) ? 'temporary' : 'permanent',
      code,
      detail: `SMSC refused submit_sm: ${code} (0x${failure.toString(16).padStart(8, '0')})${setting === undefined ? '' : `: the SMSC wants another value of ${setting}`}`,
    };
  }
  if (failure instanceof SmppError) return { ok: false, kind: 'temporary', code: failure.code, detail: failure.message };
  return { ok: false, kind: 'temporary', code: 'INTERNAL', detail: failure instanceof Error ? failure.message : String(failure) };
}
