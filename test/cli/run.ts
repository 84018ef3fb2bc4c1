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
 * Runs `node bin/switchboard.js …` as a user would, from the TypeScript source (so a stale
 * dist/ is never what is tested), with `env` on top of this process's environment.
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, LOG_LEVEL: 'silent', ...env, SWITCHBOARD_CLI_FROM_SOURCE: '1' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const status = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ status, stdout, stderr, json: () => JSON.parse(stdout) });
      },
    );
  });
}
