import { createServer } from 'node:net';
import type { Config } from '../config.js';

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
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return Object.freeze({ ...config, port, publicUrl: config.publicUrlSet ? config.publicUrl : `http://${host}:${port}` });
}
