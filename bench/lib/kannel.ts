import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { procOf, type Proc } from './processes.js';

/**
 * Kannel 1.4.5, the reference gateway, run from Debian's `kannel` package beside the
 * gateway in the same run: the reference figure is then measured on this machine in this hour
 * with the same load generator, SMSC and listener, instead of quoted. Not a dependency of
 * Switchboard: without it the scenario says how to install it and is skipped.
 */
export interface KannelBoxes {
  readonly bearerbox: string;
  readonly smsbox: string;
}

/**
 * Where DLRs (the submit's SMSC id → the message's dlr-url) are kept: Kannel's default is memory
 * (lost at a restart); `sqlite3` keeps them in a SQLite file, each write its own synced
 * transaction (SQLite's defaults).
 */
export type KannelDlrStorage = 'internal' | 'sqlite3';

export interface KannelOptions {
  readonly dlrStorage: KannelDlrStorage;
  /** Where the smsbox GETs each MO (`from`, `to` and the whole `text` in the query); none: MO is not taken. */
  readonly moUrl?: string;
}

export interface KannelProc {
  /** The smsbox's sendsms URL with the bench user's credentials, to which a query is appended. */
  readonly sendsmsUrl: string;
  /** bearerbox and smsbox together. */
  cpuSeconds(): number;
  /** bearerbox and smsbox, each in MB. */
  rss(): { bearerbox: number; smsbox: number };
  stop(): Promise<void>;
}

/** The boxes on PATH or where Debian puts them (/usr/sbin, often not on a user's PATH). */
export function findKannel(): KannelBoxes | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  const find = (name: string) =>
    dirs
      .map((dir) => join(dir, name))
      .find((file) => {
        try {
          accessSync(file, constants.X_OK);
          return true;
        } catch {
          return false;
        }
      });
  const bearerbox = find('bearerbox');
  const smsbox = find('smsbox');
  return bearerbox === undefined || smsbox === undefined ? undefined : { bearerbox, smsbox };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/**
 * The reference conditions: one transceiver bind (window 10, as the gateway's), the message store
 * in a file (Kannel's durable store: appended and flushed to the kernel, not synced), errors-only
 * logs, the smsbox answering a sendsms only once the bearerbox has taken the message. Long texts
 * go out in concatenated parts; MO, when taken, is recoded to UTF-8 for its URL.
 */
function config(dir: string, ports: { admin: number; smsbox: number; sendsms: number; smsc: number }, options: KannelOptions): string {
  const mo =
    options.moUrl === undefined
      ? ''
      : `
group = sms-service
keyword = default
catch-all = true
get-url = "${options.moUrl}?from=%p&to=%P&text=%b"
max-messages = 0
`;
  const sqlite3 =
    options.dlrStorage === 'sqlite3'
      ? `
group = sqlite3-connection
id = dlr
database = "${join(dir, 'dlr.sqlite3')}"
max-connections = 1

group = dlr-db
id = dlr
table = dlr
field-smsc = smsc
field-timestamp = ts
field-destination = destination
field-source = source
field-service = service
field-url = url
field-mask = mask
field-status = status
field-boxc-id = boxc
`
      : '';
  return `group = core
admin-port = ${ports.admin}
admin-interface = 127.0.0.1
admin-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = ${ports.smsbox}
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "${join(dir, 'bearerbox.log')}"
log-level = 3
store-type = file
store-location = "${join(dir, 'kannel.store')}"
dlr-storage = ${options.dlrStorage}

group = smsc
smsc = smpp
smsc-id = bench
host = 127.0.0.1
port = ${ports.smsc}
transceiver-mode = true
smsc-username = bench
smsc-password = bench
system-type = ""
max-pending-submits = 10
enquire-link-interval = 30

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.smsbox}
sendsms-port = ${ports.sendsms}
sendsms-interface = 127.0.0.1
log-file = "${join(dir, 'smsbox.log')}"
log-level = 3
mo-recode = true

group = sendsms-user
username = bench
password = bench
concatenation = true
max-messages = 10
${mo}${sqlite3}`;
}

/**
 * Kannel does not create its DLR table; this is the one its sqlite3 storage writes, with the
 * index an operator would add for its lookups by SMSC and message id.
 */
const DLR_TABLE = `CREATE TABLE dlr (smsc TEXT, ts TEXT, destination TEXT, source TEXT, service TEXT, url TEXT, mask INTEGER, status INTEGER, boxc TEXT);
CREATE INDEX dlr_smsc_ts ON dlr (smsc, ts);`;

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`kannel: ${what} within ${timeoutMs} ms`);
}

/** bearerbox bound to the SMSC on `smscPort`, and an smsbox taking sendsms requests. */
export async function startKannel(boxes: KannelBoxes, smscPort: number, options: KannelOptions): Promise<KannelProc> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-kannel-'));
  const ports = { admin: await freePort(), smsbox: await freePort(), sendsms: await freePort(), smsc: smscPort };
  const file = join(dir, 'kannel.conf');
  writeFileSync(file, config(dir, ports, options));
  if (options.dlrStorage === 'sqlite3') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dir, 'dlr.sqlite3'));
    db.exec(DLR_TABLE);
    db.close();
  }
  // -v 4: only panics on the terminal (the default, debug, would cost Kannel most of its time).
  const start = (path: string): Proc => procOf(spawn(path, ['-v', '4', file], { cwd: dir, stdio: 'ignore' }));
  const boxesStarted: Proc[] = [];
  const stop = async () => {
    for (const box of boxesStarted.reverse()) await box.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const bearerbox = start(boxes.bearerbox);
    boxesStarted.push(bearerbox);
    const status = `http://127.0.0.1:${ports.admin}/status.txt?password=bench`;
    await until('the SMSC bind is not online', 30_000, async () => /bench\[bench\].*\(online/.test(await (await fetch(status)).text()));
    const smsbox = start(boxes.smsbox);
    boxesStarted.push(smsbox);
    const sendsmsUrl = `http://127.0.0.1:${ports.sendsms}/cgi-bin/sendsms?username=bench&password=bench`;
    await until('the smsbox does not answer', 30_000, async () => (await fetch(`http://127.0.0.1:${ports.sendsms}/`)).status > 0);
    await until('the smsbox is not connected to the bearerbox', 30_000, async () => /smsbox:\(none\), IP 127\.0\.0\.1/.test(await (await fetch(status)).text()));
    return {
      sendsmsUrl,
      cpuSeconds: () => bearerbox.cpuSeconds() + smsbox.cpuSeconds(),
      rss: () => ({ bearerbox: bearerbox.rssMb(), smsbox: smsbox.rssMb() }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
