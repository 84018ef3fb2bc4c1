import { Resolver, type RecordWithTtl } from 'node:dns';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Where names such as `localhost` come from before DNS (as getaddrinfo's "files" source). */
const HOSTS_FILE = '/etc/hosts';
/** The resolver's settings: c-ares reads its servers there, and we its search domains. */
const RESOLV_CONF = '/etc/resolv.conf';
/** How often those two files are read again. */
const FILES_READ_EVERY_MS = 5_000;
/** Longest an answer is kept (less when its DNS TTL is shorter). */
const ANSWER_KEEP_MAX_MS = 30_000;
/** How long a failed lookup (no such name, no answer in time) stands before the name is looked up again. */
const FAILURE_KEEP_MS = 5_000;
/** Past this many names kept, those whose answers ran out are dropped when another is added. */
const PRUNE_ABOVE = 1_000;

/** Names and their addresses in a hosts file's text (`address name alias …` lines, `#` comments). */
export function parseHosts(text: string): Map<string, ResolvedAddress[]> {
  const names = new Map<string, ResolvedAddress[]>();
  for (const line of text.split('\n')) {
    const [address, ...aliases] = (line.split('#')[0] ?? '').trim().split(/\s+/);
    const family = isIP(address ?? '');
    if (address === undefined || (family !== 4 && family !== 6)) continue;
    for (const alias of aliases) {
      const name = alias.toLowerCase();
      const list = names.get(name) ?? [];
      if (!list.some((a) => a.address === address)) list.push({ address, family });
      names.set(name, list);
    }
  }
  return names;
}

/** The search domains of a resolv.conf (the last `search` or `domain` line) and its `ndots` (1 when unset). */
export function parseResolvConf(text: string): { readonly search: readonly string[]; readonly ndots: number } {
  let search: string[] = [];
  let ndots = 1;
  for (const line of text.split('\n')) {
    const [key, ...values] = (line.split(/[#;]/)[0] ?? '').trim().split(/\s+/);
    if (key === 'search' || key === 'domain') search = values.map((v) => v.toLowerCase().replace(/\.$/, '')).filter((v) => v !== '');
    if (key === 'options') for (const v of values) if (/^ndots:\d+$/.test(v)) ndots = Math.min(15, Number(v.slice(6)));
  }
  return { search, ndots };
}

/**
 * The names to ask DNS for, in order, as the system's resolver does: a name with a final dot as it
 * is; one with fewer dots than `ndots` under each search domain first, then as it is; any other
 * as it is first (`listener` in Kubernetes is `listener.<namespace>.svc.cluster.local`).
 */
export function searchNames(hostname: string, search: readonly string[], ndots: number): string[] {
  if (hostname.endsWith('.')) return [hostname.slice(0, -1)];
  const under = search.map((domain) => `${hostname}.${domain}`);
  return hostname.split('.').length - 1 >= ndots ? [hostname, ...under] : [...under, hostname];
}

function lookupError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** Not found (NXDOMAIN) or no address of the family (NODATA): the next search name is tried. */
const notFound = (err: NodeJS.ErrnoException | undefined) => err?.code === 'ENOTFOUND' || err?.code === 'ENODATA';

interface Kept {
  readonly answer: Promise<ResolvedAddress[]>;
  /** When the answer runs out; Infinity while the lookup is under way (it is shared meanwhile). */
  until: number;
}

interface SystemFiles {
  readonly readAt: number;
  readonly hosts: Map<string, ResolvedAddress[]>;
  readonly search: readonly string[];
  readonly ndots: number;
}

/** A file's text, or '' when it cannot be read. */
function readText(path: string): string {
  try {
    // Synchronous: a few hundred bytes, every few seconds at most, on the sender's thread; fs's
    // asynchronous reads would queue on the thread pool this class keeps away from.
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Resolves listener host names for the webhook sender without libuv's thread pool. dns.lookup
 * (getaddrinfo) runs there, four threads for the whole process of which at most two look names
 * up at once, and a lookup holds its thread for the resolver's whole timeout even after the POST
 * gave up on it: one listener whose DNS never answers, retried, kept every other name waiting.
 *
 * A name in the hosts file is answered from it, as getaddrinfo answers it; any other is asked of
 * the DNS servers of /etc/resolv.conf through c-ares (on the event loop), under its search domains
 * as getaddrinfo would, for A and AAAA at once, ending within `timeoutMs`. One lookup per name is
 * under way at a time, shared by all who ask; its answer is kept for its TTL (at most 30 s), a
 * failure for 5 s.
 */
export class HostResolver {
  readonly #timeoutMs: number;
  readonly #files: { readonly hosts: string; readonly resolvConf: string };
  readonly #kept = new Map<string, Kept>();
  #system: SystemFiles | undefined;

  constructor(timeoutMs: number, files: { readonly hosts?: string; readonly resolvConf?: string } = {}) {
    this.#timeoutMs = timeoutMs;
    this.#files = { hosts: files.hosts ?? HOSTS_FILE, resolvConf: files.resolvConf ?? RESOLV_CONF };
  }

  /** The addresses of `hostname`, IPv4 first; rejects with ENOTFOUND, ETIMEOUT or the DNS error. */
  resolve(hostname: string): Promise<ResolvedAddress[]> {
    const name = hostname.toLowerCase();
    const system = this.#systemFiles();
    const listed = system.hosts.get(name.replace(/\.$/, ''));
    if (listed !== undefined) return Promise.resolve(listed);
    const now = Date.now();
    const kept = this.#kept.get(name);
    if (kept !== undefined && kept.until > now) return kept.answer;
    if (this.#kept.size >= PRUNE_ABOVE) for (const [n, k] of this.#kept) if (k.until <= now) this.#kept.delete(n);
    const query = this.#query(name, searchNames(name, system.search, system.ndots));
    const entry: Kept = { answer: query.then((a) => a.addresses), until: Number.POSITIVE_INFINITY };
    this.#kept.set(name, entry);
    query.then(
      (a) => (entry.until = Date.now() + a.keepMs),
      () => (entry.until = Date.now() + FAILURE_KEEP_MS),
    );
    return entry.answer;
  }

  #systemFiles(): SystemFiles {
    const now = Date.now();
    if (this.#system === undefined || now - this.#system.readAt >= FILES_READ_EVERY_MS) {
      this.#system = { readAt: now, hosts: parseHosts(readText(this.#files.hosts)), ...parseResolvConf(readText(this.#files.resolvConf)) };
    }
    return this.#system;
  }

  /**
   * Asks DNS for the A and AAAA records of each of `names` in turn, until one has addresses or
   * fails other than as not found; `keepMs`: how long the answer may be kept.
   */
  async #query(hostname: string, names: readonly string[]): Promise<{ addresses: ResolvedAddress[]; keepMs: number }> {
    // Two tries (c-ares waits twice as long for the second); the timer bounds the whole lookup.
    const resolver = new Resolver({ timeout: Math.max(1, Math.floor(this.#timeoutMs / 3)), tries: 2 });
    const ask = (name: string, family: 4 | 6) =>
      new Promise<RecordWithTtl[]>((resolve, reject) => {
        const done = (err: NodeJS.ErrnoException | null, records: RecordWithTtl[]) => (err === null ? resolve(records) : reject(err));
        if (family === 4) resolver.resolve4(name, { ttl: true }, done);
        else resolver.resolve6(name, { ttl: true }, done);
      });
    let over = false;
    const search = async () => {
      for (const name of names) {
        if (over) break;
        const [v4, v6] = await Promise.allSettled([ask(name, 4), ask(name, 6)]);
        const records = [v4, v6].flatMap((r, i) => (r.status === 'fulfilled' ? r.value.map((rec) => ({ address: rec.address, family: i === 0 ? 4 : 6, ttl: rec.ttl }) as const) : []));
        if (records.length > 0) {
          return {
            addresses: records.map(({ address, family }) => ({ address, family })),
            keepMs: Math.min(ANSWER_KEEP_MAX_MS, ...records.map((r) => r.ttl * 1000)),
          };
        }
        const failure = [v4, v6].map((r) => (r.status === 'rejected' ? (r.reason as NodeJS.ErrnoException) : undefined)).find((e) => e !== undefined && !notFound(e));
        if (failure !== undefined) throw failure;
      }
      throw lookupError('ENOTFOUND', `${hostname} has no address (DNS)`);
    };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        over = true;
        resolver.cancel();
        reject(lookupError('ETIMEOUT', `no DNS answer for ${hostname} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([search(), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
