import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { entryFile } from '../package-files.js';
import type { SelfEndpoint } from './listener-url.js';
import { WebhookSender, type PostResult, type SenderOptions } from './sender.js';

/** One POST for the thread; `n` finds its caller again. */
export interface PostRequest {
  readonly n: number;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface PostAnswer {
  readonly n: number;
  readonly result: PostResult;
}

/**
 * What the main thread sends: the POSTs of one event-loop turn, the gateway's own endpoints when
 * they changed (instances came or went), or the order to stop.
 */
export type ToSenderThread = readonly PostRequest[] | { readonly self: readonly SelfEndpoint[] } | 'close';

/** How often the endpoints the thread checks against are compared with the gateway's. */
const SELF_CHECK_MS = 1000;

/** What the thread sends: that it has loaded, or the answers of one event-loop turn. */
export type FromSenderThread = 'ready' | readonly PostAnswer[];

/** Starts the thread that runs the POSTs (see sender-worker.ts). */
export type StartThread = (options: SenderOptions) => Worker;

export const startSenderThread: StartThread = (options) => {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = pathToFileURL(entryFile('webhooks/sender-worker')).href;
  // The test suite runs the sources through tsx, whose loader a worker thread does not inherit.
  const source = fromSources
    ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`
    : `import(${JSON.stringify(entry)})`;
  return new Worker(source, { eval: true, workerData: options });
};

/**
 * The webhook sender with its POSTs on a thread of its own. On the HTTP → SMPP → notification
 * path the gateway's main thread is busy most of the time while the machine keeps about a
 * quarter of its cores idle; with the POSTs (undici's request, its socket writes, parsing the
 * answer, the garbage) on this thread the main thread spends ≈ 7 % less CPU per message there.
 * The POSTs asked for in one event-loop turn go to the thread in one message, and its answers
 * come back the same way.
 *
 * The thread starts with the first POST. Until it has loaded (tens of milliseconds; more when the
 * sources run through tsx, as in the tests), POSTs go out from the main thread, so a
 * notification never waits for it. If it dies, the POSTs it had fail like any failed attempt (the
 * runner retries them from the durable job table) and the next POST starts another.
 */
export class ThreadedSender {
  readonly #options: () => SenderOptions;
  readonly #start: StartThread;
  readonly #onLost: (why: string) => void;
  readonly #pending = new Map<number, (result: PostResult) => void>();
  #worker: Worker | undefined;
  #ready = false;
  /** The main thread's own sender, for the POSTs made while the thread loads. */
  #local: WebhookSender | undefined;
  #outbox: PostRequest[] = [];
  #closing = false;
  #next = 0;
  /** The endpoints the thread was given (JSON), and when they were last compared. */
  #selfSent = '';
  #selfCheckedAt = 0;

  /**
   * `options` are read when a sender starts (at the first POST, so after the gateway listens: its
   * own port is among them). `lost` hears why a thread ended other than by close(), for the log.
   */
  constructor(options: () => SenderOptions, hooks: { readonly start?: StartThread; readonly lost?: (why: string) => void } = {}) {
    this.#options = options;
    this.#start = hooks.start ?? startSenderThread;
    this.#onLost = hooks.lost ?? (() => undefined);
  }

  /** Whether POSTs go to the thread (it has loaded). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Any 2xx acknowledges; anything else is a failed attempt (see WebhookSender.post). */
  post(url: string, headers: Record<string, string>, body: string): Promise<PostResult> {
    if (!this.#ready) {
      this.#thread();
      this.#local ??= new WebhookSender(this.#options());
      return this.#local.post(url, headers, body);
    }
    return new Promise((resolve) => {
      const n = this.#next;
      this.#next += 1;
      this.#pending.set(n, resolve);
      if (this.#outbox.push({ n, url, headers, body }) === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch: ToSenderThread = this.#outbox;
    // Emptied when the thread was lost: those callers were told their POSTs failed.
    if (batch.length === 0) return;
    this.#outbox = [];
    const thread = this.#thread();
    const now = Date.now();
    if (now - this.#selfCheckedAt >= SELF_CHECK_MS) {
      this.#selfCheckedAt = now;
      const self = this.#options().self;
      const json = JSON.stringify(self);
      if (json !== this.#selfSent) {
        this.#selfSent = json;
        thread.postMessage({ self } satisfies ToSenderThread);
      }
    }
    thread.postMessage(batch);
  }

  #thread(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const options = this.#options();
    this.#selfSent = JSON.stringify(options.self);
    this.#selfCheckedAt = Date.now();
    const worker = this.#start(options);
    worker.on('message', (message: FromSenderThread) => {
      if (message === 'ready') {
        this.#ready = this.#worker === worker;
        return;
      }
      for (const { n, result } of message) {
        this.#pending.get(n)?.(result);
        this.#pending.delete(n);
      }
    });
    worker.on('error', (err) => this.#lost(worker, err.message));
    worker.on('exit', (code) => this.#lost(worker, `exited (code ${code})`));
    this.#worker = worker;
    return worker;
  }

  #lost(worker: Worker, why: string): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#ready = false;
    if (!this.#closing) this.#onLost(why);
    for (const resolve of this.#pending.values()) resolve({ ok: false, error: `webhook sender thread ${why}` });
    this.#pending.clear();
    // POSTs not yet handed to the thread fail with the rest, and so must not go out with the next
    // thread: their jobs are retried, and the listener would get each twice.
    this.#outbox = [];
  }

  /** Stops the thread once its POSTs are answered (the runner has stopped starting new ones). */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#local?.close();
    const worker = this.#worker;
    if (worker === undefined) return;
    const exited = once(worker, 'exit');
    worker.postMessage('close' satisfies ToSenderThread);
    await exited;
  }
}
