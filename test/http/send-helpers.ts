import type { TestGateway } from '../helpers/gateway.js';

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The MT messages on a virtual handset (`GET /sim/v1/handsets/{number}/messages`). */
export async function handsetMessages(gw: TestGateway, number: string): Promise<any[]> {
  const res = await gw.request('GET', `/sim/v1/handsets/${encodeURIComponent(number)}/messages`);
  if (res.status !== 200) throw new Error(`handset messages: ${res.status} ${res.text}`);
  return res.json().messages;
}

/** Waits until the handset holds `count` messages and returns them. */
export function handsetReceives(gw: TestGateway, number: string, count = 1, timeoutMs = 5000): Promise<any[]> {
  return waitFor(async () => {
    const messages = await handsetMessages(gw, number);
    return messages.length >= count ? messages : undefined;
  }, timeoutMs, `${count} message(s) on ${number}`);
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const XML = { 'content-type': 'application/xml', accept: 'application/xml' };

/** Fast settings for suites that watch messages travel. */
export const FAST: Record<string, string> = {
  SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5',
  SWITCHBOARD_RETRY_BASE_MS: '20',
  SWITCHBOARD_RETRY_CAP_MS: '200',
};
