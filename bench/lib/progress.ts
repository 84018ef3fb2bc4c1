/**
 * How long a wait for a batch to arrive goes on without any of it arriving: a stage that lost a
 * message (or hung) fails its scenario then, while a slow but moving batch, however long, is
 * waited for. An absolute limit had to cover a full run's biggest batch on the slowest host (it
 * was 10 min), so a hang held a short run, and the test that runs one, for as long.
 */
export const STALL_MS = 60_000;

/** Resolves once `count()` reaches `n`; rejects once it has not grown for `stallMs`. */
export async function waitForProgress(count: () => number | Promise<number>, n: number, stallMs: number, what: string, everyMs = 25): Promise<void> {
  let seen = -1;
  let movedAt = Date.now();
  for (;;) {
    const got = await count();
    if (got >= n) return;
    if (got !== seen) {
      seen = got;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what}: ${got} of ${n}, none more in ${stallMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
