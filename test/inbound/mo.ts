import assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway.js';

/** A handset texts a short code through the simulated network (`POST /sim/v1/handsets/{number}/messages`). */
export async function sendMo(gw: TestGateway, from: string, to: string, text: string): Promise<void> {
  const res = await gw.request('POST', `/sim/v1/handsets/${encodeURIComponent(from)}/messages`, { body: { to, text } });
  assert.equal(res.status, 202, res.text);
}
