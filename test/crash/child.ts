import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { send, type TestGateway } from '../helpers/gateway.js';
import { nodeEntry, ROOT } from '../helpers/root.js';


/** A gateway in a process of its own, as `npm start` runs it, for a test to stop or kill. */
export interface Child {
  readonly process: ChildProcess;
  readonly url: string;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
}

/** Starts the gateway's entry (src/main.ts) in a child process and resolves with its URL once it logs that it listens. */
export function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, nodeEntry('src/main.ts'), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}\n${err}`)), 60_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /"url":"(http:\/\/[^"]+)".*switchboard listening/.exec(out);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ process: child, url: match[1], exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}\n${err}`));
    });
  });
}

/** Stops a child still running (SIGTERM) and waits for its exit. */
export async function stopChild(child: Child | undefined): Promise<void> {
  if (child === undefined || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  await child.exited;
}

/** Just enough of a TestGateway for the app helpers to call the child. */
export function client(url: string): TestGateway {
  return { request: (method: string, path: string, init?: object) => send(url, method, path, init) } as unknown as TestGateway;
}

/** The texts on these handsets of the simulated network, all together. */
export async function handsetTexts(url: string, handsets: readonly string[]): Promise<string[]> {
  const texts: string[] = [];
  for (const h of handsets) {
    const res = await send(url, 'GET', `/sim/v1/handsets/${encodeURIComponent(h)}/messages`);
    assert.equal(res.status, 200, res.text);
    texts.push(...res.json().messages.map((m: { text: string }) => m.text));
  }
  return texts;
}
