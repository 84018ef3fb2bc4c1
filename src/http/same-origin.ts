import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/**
 * Whether a browser sent the request from the gateway's own origin (the one the request called —
 * through a trusted proxy, its forwarded one — or `SWITCHBOARD_PUBLIC_URL`'s), or no browser sent
 * it at all. A page of another site can make a browser post a form anywhere without asking first;
 * the browser then says where the page came from in `Origin` (and `Sec-Fetch-Site: cross-site`).
 * A request without either, as the CLI and scripts send them, passes.
 *
 * @example if (!fromOwnOrigin(ctx.config, request)) throw forbidden();
 */
export function fromOwnOrigin(config: Pick<Config, 'publicUrl'>, request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}` || origin === new URL(config.publicUrl).origin;
}
