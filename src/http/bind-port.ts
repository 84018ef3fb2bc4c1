import { createServer } from 'node:net';
import { ConfigError, type Config, listenUrl } from '../config.js';

/**
 * With `PORT=0` the port is only known after listening, but routes and services need the public
 * URL (resource URLs, the listener self-check) before that. So a free port is taken from the OS
 * first and the configuration is completed with it; the window between releasing the probe socket
 * and the real listen is a few microseconds.
 */
export async function withBoundPort(config: Config): Promise<Config> {
  if (config.port !== 0) return config;
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, config.host, () => {
      const address = probe.address();
      const found = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(found));
    });
  });
  return Object.freeze({ ...config, port, publicUrl: config.publicUrlSet ? config.publicUrl : listenUrl(config.tls, config.host, port) });
}

const LISTEN_PROBLEMS: Record<string, { readonly variable: string; readonly why: string }> = {
  EADDRINUSE: { variable: 'PORT', why: 'is in use by another process' },
  EACCES: { variable: 'PORT', why: 'needs privileges this process does not have' },
  EADDRNOTAVAIL: { variable: 'HOST', why: 'is not an address of this machine' },
  ENOTFOUND: { variable: 'HOST', why: 'names no host' },
};

/**
 * A listen that failed for the address it was given (taken, privileged, not ours) is the
 * setting's fault: a ConfigError naming the variable, as every other bad setting; any other
 * failure is returned as it was. `portSetting` names where the port came from when it is not
 * `PORT` (the simulator SMSC's SMPP port).
 */
export function listenProblem(err: unknown, host: string, port: number, portSetting = 'PORT'): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const problem = code === undefined ? undefined : LISTEN_PROBLEMS[code];
  if (problem === undefined) return err;
  return new ConfigError(problem.variable === 'PORT' ? portSetting : problem.variable, `${host}:${port} ${problem.why} (${code})`);
}
