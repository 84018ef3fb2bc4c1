import type { MoDisposition, PartOutcome } from '../store/repos/inbox.js';
import type { AcceptResult, MessageRecord, RecipientRecord } from '../store/repos/messages.js';
import type { Store } from '../store/store.js';
import type { GatewayMetrics } from './metrics.js';

type Method = (...args: unknown[]) => unknown;
/** Counts what a finished store call means for the domain counters. */
type Outcome = (metrics: GatewayMetrics, args: readonly unknown[], result: unknown) => void;

/*
 * The store calls that say something happened. The store is the one place every instance's work
 * passes through (API accepts, dispatch, receipts, MO routing), so counting here needs no hook in
 * the domain code and counts only what was committed.
 */
const OUTCOMES: Readonly<Record<string, Outcome>> = {
  'messages.accept': (m, args, result) => {
    if (!(result as AcceptResult).created) return;
    const message = args[0] as MessageRecord;
    m.messagesAccepted.inc({ api: message.api });
    m.recipientsAccepted.inc({ api: message.api }, (args[1] as readonly RecipientRecord[]).length);
  },
  // The submit worker reads the recipient, submits, then marks it submitted (dispatch/submit-worker.ts).
  'messages.recipient': (m, _args, result) => {
    const found = result as { message: MessageRecord; recipient: RecipientRecord } | undefined;
    if (found?.recipient.status === 'Pending') m.submitting(found.recipient.id, found.message.segments);
  },
  'messages.markSubmitted': (m, args) => m.submitted(args[0] as string),
  'messages.finalize': (m, args, result) => {
    if (result !== undefined) m.recipientsFinal.inc({ status: args[1] as string });
  },
  'inbox.record': (m, args, result) => {
    if (result === true) m.moMessages.inc({ disposition: (args[1] as MoDisposition).kind });
  },
  'inbox.addPart': (m, _args, result) => {
    const outcome = result as PartOutcome;
    if (outcome.state === 'complete') m.moMessages.inc({ disposition: (outcome.result).disposition.kind });
  },
};

function instrumentRepo<R extends object>(repo: R, name: string, metrics: GatewayMetrics): R {
  const wrapped = new Map<PropertyKey, Method>();
  return new Proxy(repo, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let method = wrapped.get(prop);
      if (method === undefined) {
        const fn = value as Method;
        const outcome = OUTCOMES[`${name}.${prop}`];
        const latency = metrics.storeLatency.cell({ repo: name, op: prop });
        method = (...args: unknown[]) => {
          const started = performance.now();
          // Called on the real repository: its #private fields are not reachable through a proxy.
          const result = fn.apply(target, args);
          if (!(result instanceof Promise)) {
            latency.observe((performance.now() - started) / 1000);
            return result;
          }
          return result.then(
            (value: unknown) => {
              latency.observe((performance.now() - started) / 1000);
              outcome?.(metrics, args, value);
              return value;
            },
            (err: unknown) => {
              latency.observe((performance.now() - started) / 1000);
              throw err;
            },
          );
        };
        wrapped.set(prop, method);
      }
      return method;
    },
  });
}

/**
 * The store with every repository call timed (`switchboard_store_operation_duration_seconds`) and
 * the domain counters fed from the calls that commit their events. Repositories added later are
 * covered without a change here: every object-valued property of the store is one.
 */
export function instrumentStore(store: Store, metrics: GatewayMetrics): Store {
  const repos = new Map<PropertyKey, object>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value === 'function') return (value as Method).bind(target);
      if (value === null || typeof value !== 'object' || typeof prop !== 'string') return value;
      let repo = repos.get(prop);
      if (repo === undefined) {
        repo = instrumentRepo(value, prop, metrics);
        repos.set(prop, repo);
      }
      return repo;
    },
  });
}
