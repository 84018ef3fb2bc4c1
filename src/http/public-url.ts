import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/** A Host value that can go into a URL as it is: a DNS name or an address, with an optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * The base of the `resourceURL`s and `Location` headers of an API answer:
 * `SWITCHBOARD_PUBLIC_URL` when it is set, else the origin the client called — its `Host` (or a
 * trusted proxy's `X-Forwarded-Host` and `-Proto`). Built from `HOST:PORT` alone, a gateway bound
 * to `0.0.0.0` answered `http://0.0.0.0:8080/…`, which a client on another machine cannot call;
 * the origin the client called is one it can. A missing or malformed `Host` gets `HOST:PORT`.
 */
export function publicBase(config: Pick<Config, 'publicUrl' | 'publicUrlSet'>, request: FastifyRequest): string {
  if (config.publicUrlSet) return config.publicUrl;
  const { host } = request;
  return typeof host === 'string' && HOST.test(host) ? `${request.protocol}://${host}` : config.publicUrl;
}

/**
 * Where a plain-HTTP request to the HTTPS port should have gone: `SWITCHBOARD_PUBLIC_URL` when it
 * is https, else https on the `Host` the client called when that can go into a URL as it is
 * (nothing the client wrote is echoed otherwise).
 */
export function httpsOrigin(config: Pick<Config, 'publicUrl' | 'publicUrlSet'>, host: string | undefined): string | undefined {
  if (config.publicUrlSet && config.publicUrl.startsWith('https://')) return config.publicUrl;
  return host !== undefined && HOST.test(host) ? `https://${host}` : undefined;
}
