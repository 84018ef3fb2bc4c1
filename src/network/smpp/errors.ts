/**
 * Failures of the SMPP session layer that are not an answer from the SMSC. Each code says what the
 * caller may assume about a submit caught in it: with RESPONSE_TIMEOUT and CONNECTION_CLOSED the
 * SMSC may or may not have accepted the PDU (a retry can duplicate); with LINK_DOWN, LINK_BUSY and
 * STOPPING the SMSC never took it (not written, or refused as throttled).
 */
export type SmppErrorCode =
  | 'LINK_DOWN'
  /** Not written by the time its caller set (see SmppLink.submit). */
  | 'LINK_BUSY'
  | 'STOPPING'
  | 'RESPONSE_TIMEOUT'
  | 'CONNECTION_CLOSED'
  | 'BIND_FAILED'
  | 'PROTOCOL';

export class SmppError extends Error {
  constructor(
    readonly code: SmppErrorCode,
    message: string,
    /** The SMSC's command_status, when the failure is an answer (BIND_FAILED). */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SmppError';
  }
}
