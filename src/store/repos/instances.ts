/** A gateway process serving the database, as it last said. */
export interface InstanceRecord {
  readonly id: string;
  /** The machine's host name and the process id. */
  readonly host: string;
  readonly pid: number;
  /** SWITCHBOARD_NETWORK: `simulator` or `smpp`. */
  readonly network: string;
  /** The SMSC's host:port in `smpp` mode. */
  readonly smsc: string | null;
  /** Where its HTTP API listens. */
  readonly url: string;
  /** The settings instances on one database should share, by name (empty when not recorded). */
  readonly settings: Readonly<Record<string, string>>;
  readonly startedAt: number;
  /** Refreshed while it runs; an old one means it stopped without saying so (a crash). */
  readonly seenAt: number;
}

/** The gateway processes on this database (the `instances` table). */
export interface InstanceRepo {
  /**
   * Writes the record and returns every record, in one step that no other `join` runs beside
   * (a lock on PostgreSQL; SQLite has one process): of two instances starting at once, the second
   * sees the first.
   */
  join(record: InstanceRecord): Promise<InstanceRecord[]>;
  /** Writes the record, or refreshes it (its `seenAt` and `url`). */
  announce(record: InstanceRecord): Promise<void>;
  /** Every record, most recently seen first. */
  list(): Promise<InstanceRecord[]>;
  remove(id: string): Promise<void>;
  /** Deletes the records not seen since `before`. */
  prune(before: number): Promise<number>;
}
