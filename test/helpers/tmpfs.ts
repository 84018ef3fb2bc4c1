import { execFile } from 'node:child_process';
import type { CliResult } from '../cli/run.js';

/**
 * Runs `sh -c script` in a private mount namespace (`unshare -rm`, no root needed) where a
 * tmpfs of `size` (e.g. `4m`) is mounted at `dir`, so a test can fill a real disk without
 * touching the machine's. Nothing written under `dir` outlives the call. Undefined when this
 * machine has no user namespaces (the caller skips).
 */
export function inTmpfs(dir: string, size: string, script: string, env: Record<string, string> = {}): Promise<CliResult | undefined> {
  return new Promise((resolve) => {
    execFile(
      'unshare',
      ['-rm', 'sh', '-c', `mount -t tmpfs -o size=${size} tmpfs "$TMPFS" || exit 125\n${script}`],
      { env: { ...process.env, ...env, TMPFS: dir }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const status = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        if (status === 125 || (err as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve(undefined);
        else resolve({ status, stdout, stderr, json: () => JSON.parse(stdout) });
      },
    );
  });
}

/** Shell that fills the tmpfs at `$TMPFS` up to its last byte. */
export const FILL_TMPFS = 'head -c 1G /dev/zero > "$TMPFS/filler" 2>/dev/null; true';
