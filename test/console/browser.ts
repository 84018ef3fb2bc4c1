import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { repoFile } from '../helpers/root.js';

/** Debian's chromium (apt-get install chromium): playwright-core downloads no browser of its own. */
export const CHROMIUM = process.env.SWITCHBOARD_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Where the browser tests leave their screenshots (gitignored). */
export const OUTPUT_DIR = repoFile('.test-output/console/');

/**
 * Why the browser tests cannot run here, or undefined when they can. Without chromium they are
 * skipped with this reason — unless CI=true, where a missing browser is an error (see .ci/run).
 */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no browser at ${CHROMIUM} (apt-get install chromium, or set SWITCHBOARD_TEST_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: the console browser tests must run in CI`);
  return reason;
}

/**
 * Headless chromium as the node machine notes run it as root: no sandbox, no GPU, and nothing
 * that phones home (the machine's network is closed), with a fresh profile per launch.
 */
export async function launchBrowser(): Promise<Browser> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
