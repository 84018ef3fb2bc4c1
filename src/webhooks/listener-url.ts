import { networkInterfaces } from 'node:os';
import type { Config } from '../config.js';
import type { IsBlocked } from './blocked-addresses.js';

/** Where this gateway can be reached: its bound host and port, and its public URL's. */
export interface SelfEndpoint {
  readonly host: string;
  readonly port: number;
}

export type ListenerUrlVerdict = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

const MAX_URL_LENGTH = 2048;

/** A host as compared here: lower case, without brackets or a final dot, IPv4-mapped IPv6 unmapped. */
export function normalHost(host: string): string {
  return unmapIPv4(host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''));
}

/**
 * An IPv6 address that carries an IPv4 one is that IPv4 address: IPv4-mapped (`[::ffff:127.0.0.1]`
 * reaches 127.0.0.1; the URL parser writes it `::ffff:7f00:1`, which no pattern on dotted quads
 * would catch) and the NAT64 well-known prefix (`64:ff9b::10.0.0.5` is 10.0.0.5 to a host behind
 * DNS64/NAT64, RFC 6052).
 */
function unmapIPv4(host: string): string {
  const mapped = /^(?:(?:::|(?:0{1,4}:){5})ffff:|64:ff9b::|64:ff9b:(?:0{1,4}:){4})(.+)$/.exec(host)?.[1];
  if (mapped === undefined) return host;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(mapped)) return mapped;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(mapped);
  if (hex === null) return host;
  const [hi, lo] = [parseInt(hex[1] ?? '0', 16), parseInt(hex[2] ?? '0', 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '::1' ||
    host === '0:0:0:0:0:0:0:1' ||
    isUnspecified(host)
  );
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/**
 * The gateway's own endpoints: the address it listens on (as HOST names it and, when HOST is a
 * name, the address the name was bound to) and the host:port of its public URL.
 */
export function selfEndpoints(config: Config, boundPort: number, boundAddress: string = config.host): SelfEndpoint[] {
  const endpoints: SelfEndpoint[] = [{ host: normalHost(config.host), port: boundPort }];
  if (normalHost(boundAddress) !== normalHost(config.host)) endpoints.push({ host: normalHost(boundAddress), port: boundPort });
  const pub = new URL(config.publicUrl);
  endpoints.push({ host: normalHost(pub.hostname), port: pub.port === '' ? defaultPort(pub.protocol) : Number(pub.port) });
  return endpoints;
}

/**
 * The endpoints of the other gateway instances on this database. One on another machine bound to
 * loopback cannot be reached from here (the same address is this machine's own, perhaps a real
 * listener), and one bound to all interfaces there is not known by address (its addresses are not
 * recorded): both count only on this machine.
 */
export function peerEndpoints(peers: ReadonlyArray<{ readonly url: string; readonly sameMachine: boolean }>): SelfEndpoint[] {
  const endpoints: SelfEndpoint[] = [];
  for (const peer of peers) {
    const url = new URL(peer.url);
    const host = normalHost(url.hostname);
    if (!peer.sameMachine && (isUnspecified(host) || isLoopback(host))) continue;
    endpoints.push({ host, port: url.port === '' ? defaultPort(url.protocol) : Number(url.port) });
  }
  return endpoints;
}

/**
 * True when `url` would reach this gateway: same port, and the same host, or a loopback name for a
 * loopback-bound gateway, or any local interface address for one bound to all interfaces. Names
 * that merely resolve to the gateway are not looked up here (no DNS at registration); the sender
 * checks their addresses with isSelf before it connects.
 */
export function pointsAtSelf(url: URL, self: readonly SelfEndpoint[]): boolean {
  return isSelf(url.hostname, url.port === '' ? defaultPort(url.protocol) : Number(url.port), self);
}

/**
 * True when `host`:`port` is this gateway (see pointsAtSelf); at connect time `host` is each
 * address a listener's name resolved to.
 */
export function isSelf(rawHost: string, port: number, self: readonly SelfEndpoint[]): boolean {
  const host = normalHost(rawHost);
  for (const endpoint of self) {
    if (endpoint.port !== port) continue;
    if (endpoint.host === host) return true;
    if (isLoopback(endpoint.host) && isLoopback(host)) return true;
    if (isUnspecified(endpoint.host) && localAddresses().has(host)) return true;
  }
  return false;
}

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) out.add(normalHost(info.address));
  }
  return out;
}

/**
 * Whether `raw` may be a listener URL (MO listener, delivery status URL, OneAPI notifyURL):
 * an absolute http(s) URL without credentials; https in the production realm (sandbox apps may use
 * http, e.g. to a listener on their own machine); never the gateway's own API/admin port, which
 * would let an app make the gateway call itself; no host that is a blocked address
 * (SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES). Names are not resolved here: the sender checks what
 * they resolve to before each connection.
 */
export function checkListenerUrl(raw: unknown, realm: string, self: readonly SelfEndpoint[], blocked: IsBlocked): ListenerUrlVerdict {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, reason: 'a listener URL is required' };
  const text = raw.trim();
  if (text.length > MAX_URL_LENGTH) return { ok: false, reason: `a listener URL may have at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'the listener URL is not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'the listener URL must be http or https' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'the listener URL must not carry credentials' };
  if (realm === 'production' && url.protocol !== 'https:') return { ok: false, reason: 'production apps need an https listener URL' };
  if (pointsAtSelf(url, self)) return { ok: false, reason: "the listener URL points at the gateway's own port" };
  if (blocked(url.hostname)) return { ok: false, reason: `the listener URL's host is a blocked address ${normalHost(url.hostname)}` };
  return { ok: true, url: text };
}
