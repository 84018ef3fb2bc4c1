import { execFile, spawn } from 'node:child_process';
import { repoFile } from '../helpers/root.js';

const BIN = repoFile('bin/switchboard.js');

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

function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, LOG_LEVEL: 'silent', ...env, SWITCHBOARD_TEST_CLI_FROM_SOURCE: CLI_FROM_SOURCE };
}

/** Runs `node bin/switchboard.js …` as a user would, with `env` on top of this process's environment. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: cliEnv(env), timeout: 60_000 },
      (err, stdout, stderr) => {
        const status = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ status, stdout, stderr, json: () => JSON.parse(stdout) });
      },
    );
  });
}

/** runCli with a stdout whose reader went away before anything was written, as `switchboard … | head -c0`. */
export function runCliIntoClosedPipe(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.once('close', (code) => resolve({ status: code ?? 1, stdout: '', stderr, json: () => undefined }));
  });
}
