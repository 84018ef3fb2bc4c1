import assert from 'node:assert/strict';
import type { InboundPart } from '../../src/network/connector.js';
import { segmentText } from '../../src/sms/segment.js';
import type { TestGateway } from '../helpers/gateway.js';

/** A handset texts a short code through the simulated network (`POST /sim/v1/handsets/{number}/messages`). */
export async function sendMo(gw: TestGateway, from: string, to: string, text: string): Promise<void> {
  const res = await gw.request('POST', `/sim/v1/handsets/${encodeURIComponent(from)}/messages`, { body: { to, text } });
  assert.equal(res.status, 202, res.text);
}

/** The parts a network would hand over for `text` (UDH already cut off, as the SMPP connector does). */
export function partsOf(text: string, from: string, to: string, reference: number): InboundPart[] {
  const s = segmentText(text);
  return s.segments.map((seg, i) => ({
    from,
    to,
    reference,
    total: s.segments.length,
    seq: i + 1,
    payload: seg.bytes,
    dataCoding: s.dataCoding,
    receivedAt: Date.now(),
  }));
}
