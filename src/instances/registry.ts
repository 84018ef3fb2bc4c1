/**
 * The gateway processes on one database know of each other. Each writes its row at start (host,
 * pid, network, SMSC, URL) and refreshes it every `heartbeatMs` while it runs; a graceful stop
 * deletes it, a crash leaves it to age out.
 *
 * A start refuses to join live instances that send through another network. Submit jobs are
 * shared, so a `simulator` instance on a database of `smpp` instances takes a share of their
 * submits and "delivers" them to virtual handsets: every send answered 201 and notified
 * DeliveredToTerminal, some of it never sent. Several SMSC hosts are fine (receipts are matched
 * through the store whichever bind they come in on).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { InstanceRecord, InstanceRepo } from '../store/repos/instances.js';

export interface RegistryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface InstanceRegistryOptions {
  readonly repo: InstanceRepo;
  readonly clock: Clock;
  readonly log: RegistryLog;
  readonly network: string;
  readonly smsc: string | null;
  /** Where this process's HTTP API listens (known once it does: asked at join). */
  readonly url: () => string;
  /** This process's values of the settings instances on one database should share (sharedSettings). */
  readonly settings: Readonly<Record<string, string>>;
  readonly heartbeatMs?: number;
}

/** The start refused: live instances on this database send through another network (exit 2, like a bad setting). */
export class JoinRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JoinRefusedError';
  }
}

/** An instance as the admin API lists it. */
export type InstanceView = InstanceRecord & { readonly live: boolean; readonly self: boolean };

/**
 * The settings whose effect depends on which instance takes a request or a job: the retention of
 * what an instance stores, retry windows it sets, limits it applies, the addresses its webhooks
 * may not reach. Instances on one database should agree on them; one that differs is told.
 */
export function sharedSettings(config: Config): Record<string, string> {
  return {
    SWITCHBOARD_STATUS_RETENTION_S: String(config.statusRetentionS),
    SWITCHBOARD_IDEMPOTENCY_RETENTION_S: String(config.idempotencyRetentionS),
    SWITCHBOARD_INBOX_RETENTION_S: String(config.inboxRetentionS),
    SWITCHBOARD_UNROUTED_RETENTION_S: String(config.unroutedRetentionS),
    SWITCHBOARD_DEAD_LETTER_RETENTION_S: String(config.deadLetterRetentionS),
    SWITCHBOARD_NETWORK_RETRY_WINDOW_S: String(config.networkRetryWindowS),
    SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S: String(config.webhookRetryWindowS),
    SWITCHBOARD_MAX_RECIPIENTS: String(config.maxRecipients),
    SWITCHBOARD_TOKEN_TTL_S: String(config.tokenTtlS),
    SWITCHBOARD_REFRESH_TOKEN_TTL_S: String(config.refreshTokenTtlS),
    SWITCHBOARD_MAX_TOKENS_PER_APP: String(config.maxTokensPerApp),
    SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S: String(config.moReassemblyTimeoutS),
    SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES: config.webhookBlockedAddresses.join(','),
  };
}

/** Rows of processes gone this long are deleted. */
const FORGET_AFTER_MS = 24 * 3600_000;
/**
 * How often a running instance deletes them too: at start only, the rows of crashed processes
 * stayed as long as no instance was restarted, one more per crash.
 */
const PRUNE_EVERY_MS = 3600_000;

/** Whether a process of this machine is running (signal 0 checks without sending). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class InstanceRegistry {
  readonly #o: InstanceRegistryOptions;
  readonly #heartbeatMs: number;
  readonly #id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  #self: InstanceRecord | undefined;
  /** The other live instances as last read (at join, then at each heartbeat). */
  #peers: readonly InstanceRecord[] = [];
  /** Their URLs, as peers() gives them: the same array until the next read. */
  #peerUrls: ReadonlyArray<{ readonly url: string; readonly sameMachine: boolean }> = [];
  /** Instances on another network, or with other settings, already reported (see #readPeers). */
  readonly #rivalsTold = new Set<string>();
  readonly #differentTold = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #failing = false;
  #prunedAt = 0;

  constructor(options: InstanceRegistryOptions) {
    this.#o = options;
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  /**
   * A row refreshed within three heartbeats is a running process, unless it is one of this machine
   * that is gone: its pid runs nothing, or it is this process's pid (reused, as in a container
   * restarted) but started before this process did.
   */
  #live(r: InstanceRecord, now: number): boolean {
    if (r.seenAt < now - 3 * this.#heartbeatMs) return false;
    if (r.host !== hostname()) return true;
    return r.pid === process.pid ? r.startedAt >= performance.timeOrigin : running(r.pid);
  }

  /**
   * Writes this process's row and reads the others in one step joins take in turn (see
   * InstanceRepo.join): with a live one on another network this one deletes its row and throws.
   * Of two starting at once the second sees the first and gives way.
   */
  async join(): Promise<void> {
    const { repo, clock, network, smsc, url } = this.#o;
    const now = clock.now();
    const self: InstanceRecord = { id: this.#id, host: hostname(), pid: process.pid, network, smsc, url: url(), settings: this.#o.settings, startedAt: now, seenAt: now };
    this.#self = self;
    const rivals = (await repo.join(self)).filter((r) => r.id !== self.id && this.#live(r, now) && r.network !== self.network);
    if (rivals.length > 0) {
      await repo.remove(self.id);
      const where = (r: InstanceRecord) => (r.network === 'smpp' && r.smsc !== null ? `smpp to ${r.smsc}` : r.network);
      const list = rivals.map((r) => `${r.url} (${r.host}, pid ${r.pid}, ${where(r)})`).join(', ');
      throw new JoinRefusedError(
        `SWITCHBOARD_NETWORK=${self.network}, but ${rivals.length === 1 ? 'a live gateway' : `${rivals.length} live gateways`} on this database ${rivals.length === 1 ? 'sends' : 'send'} through another network: ${list}. Stop ${rivals.length === 1 ? 'it' : 'them'} first, or give this gateway a database of its own (SWITCHBOARD_DATABASE_URL).`,
      );
    }
    await this.#prune(now);
    await this.#readPeers();
    this.#timer = setInterval(() => void this.#heartbeat(), this.#heartbeatMs);
    this.#timer.unref();
  }

  /** Writes this process's entry now (its URL too, once the server listens) and reads the others. */
  refresh(): Promise<void> {
    return this.#heartbeat();
  }

  async #heartbeat(): Promise<void> {
    if (this.#self === undefined) return;
    try {
      this.#self = { ...this.#self, url: this.#o.url() };
      const now = this.#o.clock.now();
      await this.#o.repo.announce({ ...this.#self, seenAt: now });
      if (now - this.#prunedAt >= PRUNE_EVERY_MS) await this.#prune(now);
      await this.#readPeers();
      if (this.#failing) this.#o.log.info({}, 'instance heartbeat written again');
      this.#failing = false;
    } catch (err) {
      // Once per outage: the store says what is wrong elsewhere.
      if (!this.#failing) this.#o.log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'instance heartbeat not written; other instances may think this one stopped');
      this.#failing = true;
    }
  }

  async #prune(now: number): Promise<void> {
    await this.#o.repo.prune(now - FORGET_AFTER_MS);
    this.#prunedAt = now;
  }

  async #readPeers(): Promise<void> {
    const now = this.#o.clock.now();
    this.#peers = (await this.#o.repo.list()).filter((r) => r.id !== this.#id && this.#live(r, now));
    this.#peerUrls = this.#peers.map((r) => ({ url: r.url, sameMachine: r.host === hostname() }));
    // Joins take turns, so this takes a start that went around the check (clocks 30 s apart make
    // a live instance look stopped): said once per instance, loudly, since both take submits.
    for (const r of this.#peers) {
      if (r.network === this.#o.network || this.#rivalsTold.has(r.id)) continue;
      this.#rivalsTold.add(r.id);
      this.#o.log.error({ other: r.url, host: r.host, pid: r.pid, network: r.network }, `a gateway on another network (${r.network}) runs on this database: stop one of them; both take the submits`);
    }
    for (const r of this.#peers) {
      if (this.#differentTold.has(r.id)) continue;
      const differ = Object.keys(this.#o.settings).filter((name) => name in r.settings && r.settings[name] !== this.#o.settings[name]);
      if (differ.length === 0) continue;
      this.#differentTold.add(r.id);
      const mine = this.#o.settings;
      this.#o.log.warn(
        { other: r.url, settings: Object.fromEntries(differ.map((name) => [name, { there: r.settings[name], here: mine[name] }])) },
        `settings differ from the gateway ${r.url} on this database (${differ.join(', ')}): which instance takes a request or job decides, so give every instance the same`,
      );
    }
  }

  /**
   * The URLs of the other live instances (as of the last heartbeat), and whether each runs on this
   * machine: the listener URL guard keeps apps from making this gateway call them too. The same
   * array until the next heartbeat, so a caller can keep what it derives from it.
   */
  peers(): ReadonlyArray<{ readonly url: string; readonly sameMachine: boolean }> {
    return this.#peerUrls;
  }

  /** Stops the heartbeat and deletes this process's row. */
  async leave(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#self !== undefined) await this.#o.repo.remove(this.#self.id);
  }

  /** Every instance on the database, live ones first. */
  async list(): Promise<InstanceView[]> {
    const now = this.#o.clock.now();
    const all = (await this.#o.repo.list()).map((r) => ({ ...r, live: this.#live(r, now), self: r.id === this.#id }));
    return [...all.filter((r) => r.live), ...all.filter((r) => !r.live)];
  }
}
