import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resident set size in MB, read from /proc. */
  rssMb(): number;
  /** CPU time (user + system) used so far, in seconds, read from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** A child process measured from /proc: any process the bench starts, node or not. */
export function procOf(child: ChildProcess): Proc {
  return {
    child,
    pid: child.pid ?? 0,
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    cpuSeconds: () => {
      // Fields 14 and 15 of /proc/PID/stat (after the parenthesised name) are utime and stime in clock ticks (100/s on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** Spawns `node <args>` and resolves once a stdout line matches `ready`, with the match. */
function spawnUntil(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ proc: Proc; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${err || out}`)), 60_000);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => (err += c));
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        out = '';
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve({ proc: procOf(child), match });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited ${code}: ${err || out}`));
    });
  });
}

/** BENCH_CPU_PROF=DIR: a V8 CPU profile of each gateway and SMSC process, written there when it stops. */
function cpuProfileArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
}

export interface GatewayProc extends Proc {
  readonly url: string;
}

/** A gateway process from the built dist/ (as `npm start` runs it), on a free port. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProc> {
  const { proc, match } = await spawnUntil([...cpuProfileArgs('gateway'), 'dist/main.js'], { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN, ...env }, /"url":"(http:\/\/[^"]+)"/);
  proc.child.stdout?.resume();
  return { ...proc, url: match[1] as string };
}

/** The ceiling server: a bare fastify route (bench/ceiling-server.ts). */
export async function startCeiling(): Promise<GatewayProc> {
  const { proc, match } = await spawnUntil(['--import', 'tsx', 'bench/ceiling-server.ts'], {}, /(http:\/\/127\.0\.0\.1:\d+)/);
  return { ...proc, url: match[1] as string };
}

/**
 * The SMPP path's ceiling (bench/relay-server.ts): the same protocol work with nothing stored, or
 * with every step in one synced journal at `journal`.
 */
export async function startRelay(smscPort: number, listenerUrl: string, journal?: string): Promise<GatewayProc> {
  const env: Record<string, string> = { RELAY_SMSC_PORT: String(smscPort), RELAY_LISTENER_URL: listenerUrl, ...(journal === undefined ? {} : { RELAY_JOURNAL: journal }) };
  const { proc, match } = await spawnUntil([...cpuProfileArgs('relay'), '--import', 'tsx', 'bench/relay-server.ts'], env, /(http:\/\/127\.0\.0\.1:\d+)/);
  return { ...proc, url: match[1] as string };
}

/** A process an ESME binds to over SMPP on 127.0.0.1. */
export interface SmppPeerProc extends Proc {
  readonly smppPort: number;
}

export interface SmscProc extends SmppPeerProc {
  readonly url: string;
}

/** The simulator SMSC alone (`switchboard smsc`), as a carrier's SMSC in another process. */
export async function startSmscProcess(env: Record<string, string>): Promise<SmscProc> {
  const { proc, match } = await spawnUntil([...cpuProfileArgs('smsc'), 'dist/cli.js', 'smsc', '--port', '0'], { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env }, /smpp=127\.0\.0\.1:(\d+) http=(http:\/\/\S+)/);
  return { ...proc, smppPort: Number(match[1]), url: match[2] as string };
}

/** The SMSC sink (bench/smsc-sink.ts): answers submits and returns their receipts, storing nothing. */
export async function startSink(): Promise<SmppPeerProc> {
  const { proc, match } = await spawnUntil([...cpuProfileArgs('sink'), '--import', 'tsx', 'bench/smsc-sink.ts'], {}, /smpp=127\.0\.0\.1:(\d+)/);
  return { ...proc, smppPort: Number(match[1]) };
}
