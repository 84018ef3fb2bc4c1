/** The webhook sender's thread (see sender-thread.ts): POSTs what the main thread asks for. */
import { parentPort, workerData } from 'node:worker_threads';
import type { FromSenderThread, PostAnswer, ToSenderThread } from './sender-thread.js';
import { WebhookSender, type SenderOptions } from './sender.js';

const port = parentPort;
if (port === null) throw new Error('sender-worker runs as a worker thread');
const sender = new WebhookSender(workerData as SenderOptions);
let answers: PostAnswer[] = [];

function answer(a: PostAnswer): void {
  if (answers.push(a) > 1) return;
  setImmediate(() => {
    port?.postMessage(answers satisfies FromSenderThread);
    answers = [];
  });
}

port.on('message', (message: ToSenderThread) => {
  if (message === 'close') {
    void sender.close().finally(() => port.close());
    return;
  }
  if ('self' in message) {
    sender.setSelf(message.self);
    return;
  }
  for (const r of message) void sender.post(r.url, r.headers, r.body).then((result) => answer({ n: r.n, result }));
});
port.postMessage('ready' satisfies FromSenderThread);
