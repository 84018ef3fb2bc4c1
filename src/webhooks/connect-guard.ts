import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { blockedAddresses, type IsBlocked } from './blocked-addresses.js';
import { HostResolver } from './host-resolver.js';
import { isSelf, normalHost, type SelfEndpoint } from './listener-url.js';

/** Where the webhook sender must not connect (plain data: it crosses to the sender thread). */
export interface ConnectGuardOptions {
  /** Ranges from SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES (`address/prefix`). */
  readonly blockedAddresses: readonly string[];
  /** The gateway's own endpoints (see selfEndpoints). */
  readonly self: readonly SelfEndpoint[];
}

/** A connection refused for where it would go; the attempt fails and is retried (DNS may change). */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_WEBHOOK_BLOCKED_ADDRESS';
}

/** What is wrong with connecting to `address`:`port` (`a blocked address 169.254.169.254`), or undefined. */
export function refusal(address: string, port: number, blocked: IsBlocked, self: readonly SelfEndpoint[]): string | undefined {
  if (blocked(address)) return `a blocked address ${normalHost(address)}`;
  if (isSelf(address, port, self)) return `the gateway's own address ${normalHost(address)}:${port}`;
  return undefined;
}

/**
 * A `lookup` for net.connect that resolves the name itself (see HostResolver: never on libuv's
 * thread pool) and refuses it when any of its addresses, of either family, is refused: net.connect
 * may try several of them (happy eyeballs), and a name with one public and one internal address
 * must not reach the internal one. An answer kept from an earlier lookup is checked again.
 */
export function guardedLookup(resolver: HostResolver, refuse: (address: string) => string | undefined): LookupFunction {
  return (hostname, options, callback) => {
    resolver.resolve(hostname).then(
      (addresses) => {
        for (const { address } of addresses) {
          const why = refuse(address);
          if (why !== undefined) return callback(new BlockedAddressError(`listener host resolves to ${why}`), '');
        }
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
        if (options.all === true) return callback(null, usable);
        const first = usable[0];
        if (first === undefined) return callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/**
 * undici's connector with the guard in front: a literal IP is checked as it is (net.connect does
 * not look it up), a name through guardedLookup. Sockets kept alive are not checked again.
 */
export function guardedConnector(options: ConnectGuardOptions & { readonly timeoutMs: number }): buildConnector.connector {
  const blocked = blockedAddresses(options.blockedAddresses);
  // A lookup may take as long as a connect: the connect's timeout covers both.
  const resolver = new HostResolver(options.timeoutMs);
  // The self check needs the port, which a lookup is not told: one connector per listener port
  // (few of them; each keeps its own TLS sessions).
  const byPort = new Map<number, buildConnector.connector>();
  return (opts, callback) => {
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    const refuse = (address: string) => refusal(address, port, blocked, options.self);
    if (isIP(normalHost(opts.hostname)) !== 0) {
      const why = refuse(opts.hostname);
      if (why !== undefined) return callback(new BlockedAddressError(`listener host is ${why}`), null);
    }
    let connect = byPort.get(port);
    if (connect === undefined) {
      connect = buildConnector({ timeout: options.timeoutMs, lookup: guardedLookup(resolver, refuse) });
      byPort.set(port, connect);
    }
    return connect(opts, callback);
  };
}
