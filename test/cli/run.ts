import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON. */
  json(): any;
}

/**
 * Whether bin/switchboard.js should run the TypeScript source: always, unless the test runner
 * built dist/ for this run (scripts/run-tests.mjs), so a stale build is never what is tested.
 */
export const CLI_FROM_SOURCE = process.env.SWITCHBOARD_TEST_DIST === 'fresh' ? '0' : '1';

/** Runs `node bin/switchboard.js …` as a user would, with `env` on top of this process's environment. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, LOG_LEVEL: 'silent', ...env, SWITCHBOARD_CLI_FROM_SOURCE: CLI_FROM_SOURCE }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const status = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ status, stdout, stderr, json: () => JSON.parse(stdout) });
      },
    );
  });
}
