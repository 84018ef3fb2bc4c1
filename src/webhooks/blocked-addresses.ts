import { BlockList, isIP } from 'node:net';
import { normalHost } from './listener-url.js';

/**
 * Addresses webhook POSTs must not reach (SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES): a listener URL is
 * refused at registration when its host is a literal IP in one of these ranges, and a POST is
 * refused at connect time when its host resolves to one.
 *
 * The setting is a comma-separated list of CIDR ranges, single IPs and keywords:
 *
 *   link-local                          (the default)
 *   private,203.0.113.7,2001:db8::/32
 *   none                                (nothing blocked)
 */

/** Where cloud metadata services answer (169.254.169.254) and no real listener lives. */
export const LINK_LOCAL_RANGES: readonly string[] = ['169.254.0.0/16', 'fe80::/10'];

/**
 * Everything that is not a public unicast address, after the IANA special-purpose registries:
 * "this network", RFC 1918, shared CGN space (Alibaba's metadata is at 100.100.100.200), loopback,
 * link-local, IETF protocol assignments, benchmarking, multicast and reserved; IPv6 unspecified,
 * loopback, local-use IPv4/IPv6 translation, unique local (AWS metadata's fd00:ec2::254),
 * deprecated site-local, link-local and multicast. IPv4-mapped IPv6 addresses are matched as the
 * IPv4 address they map.
 */
export const PRIVATE_RANGES: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '64:ff9b:1::/48',
  'fc00::/7',
  'fec0::/10',
  'fe80::/10',
  'ff00::/8',
];

const KEYWORDS: Readonly<Record<string, readonly string[]>> = { private: PRIVATE_RANGES, 'link-local': LINK_LOCAL_RANGES, none: [] };

export type BlockedAddressesVerdict = { readonly ok: true; readonly ranges: readonly string[] } | { readonly ok: false; readonly reason: string };

/** One entry as `address/prefix`, or undefined when it is neither an IP nor a CIDR range. */
function range(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  // A zone (fe80::1%eth0) names an interface, not a range; BlockList would ignore it.
  if (extra !== undefined || address.includes('%')) return undefined;
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefix === undefined) return `${address.toLowerCase()}/${max}`;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return undefined;
  return `${address.toLowerCase()}/${Number(prefix)}`;
}

/**
 * Parses the setting into `address/prefix` ranges, keywords expanded: `private`, `link-local`, or
 * `none` (alone: nothing blocked). Host bits of a range are ignored (`10.1.2.3/8` is 10.0.0.0/8).
 */
export function parseBlockedAddresses(text: string): BlockedAddressesVerdict {
  const entries = text.split(',').map((e) => e.trim().toLowerCase());
  const ranges: string[] = [];
  for (const entry of entries) {
    if (entry === '') return { ok: false, reason: `an empty entry in "${text}"` };
    if (entry === 'none' && entries.length > 1) return { ok: false, reason: '"none" cannot be combined with other entries' };
    const expanded = KEYWORDS[entry];
    if (expanded !== undefined) {
      ranges.push(...expanded);
      continue;
    }
    const one = range(entry);
    if (one === undefined) return { ok: false, reason: `expected CIDR ranges, IPs, private, link-local or none, got "${entry}"` };
    ranges.push(one);
  }
  return { ok: true, ranges: [...new Set(ranges)] };
}

/** Whether a host is a blocked address: false for a name (names are checked once resolved). */
export type IsBlocked = (host: string) => boolean;

/** The matcher of parsed `ranges`; a host may be bracketed (`[::1]`) as URLs write it. */
export function blockedAddresses(ranges: readonly string[]): IsBlocked {
  const list = new BlockList();
  for (const r of ranges) {
    const [address = '', prefix = ''] = r.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  // Asked before every POST, mostly about the same few listener hosts, and BlockList.check costs
  // ≈ 2 µs (it parses the address each time): verdicts are remembered, up to a bound.
  const known = new Map<string, boolean>();
  return (host) => {
    let verdict = known.get(host);
    if (verdict !== undefined) return verdict;
    // Unmapped first, so ::ffff:169.254.169.254 (however it is spelled) meets the IPv4 ranges.
    const address = normalHost(host);
    const family = isIP(address);
    verdict = family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    if (known.size >= 1024) known.clear();
    known.set(host, verdict);
    return verdict;
  };
}
