import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import { CellHistogram } from './cell-histogram.js';
import type { JobRunner } from '../dispatch/runner.js';
import type { SmppReport } from '../network/smpp/connector.js';
import type { JobRepo } from '../store/repos/jobs.js';

/** What the scrape-time gauges read; set once the gateway is wired (see `GatewayMetrics.watch`). */
export interface MetricSources {
  readonly clock: Clock;
  readonly jobs: JobRepo;
  /** Dispatch of submits and the notification engine's runner. */
  readonly runners: { readonly dispatch: Pick<JobRunner, 'on'>; readonly webhooks: Pick<JobRunner, 'on'> };
  /** The SMSC links, when the gateway runs SWITCHBOARD_NETWORK=smpp. */
  readonly smpp?: { linkReport(): SmppReport['links'] };
}

/** Calls made while one is pending share its promise; the next call after it settles reads afresh. */
function shared<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * The Prometheus metrics of one gateway, in a registry of its own: several gateways in one
 * process (tests, two instances) never collide in prom-client's global registry.
 *
 * @example const metrics = new GatewayMetrics();
 *          const store = instrumentStore(await openStore(config), metrics);
 *          metrics.watch({ clock, jobs: store.jobs, runners: {...} });
 *          reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  #sources: MetricSources | undefined;
  /** Segments of the recipients being submitted right now (recipient id → segments). */
  readonly #submitting = new Map<string, number>();
  /*
   * The gauges of one scrape are collected concurrently (prom-client's Registry.metrics runs them
   * in one Promise.all), so the ones reading the same source share one read while it is pending.
   */
  readonly #backlogOnce = shared(async () => {
    const sources = this.#sources;
    if (sources === undefined) return undefined;
    // A store that does not answer must not take the whole scrape down (the HTTP and SMPP series
    // are what shows an outage): its gauges are left out, and switchboard_store_up says why.
    try {
      const backlog = await sources.jobs.backlog(sources.clock.now());
      this.#storeUp.set(1);
      return backlog;
    } catch {
      this.#storeUp.set(0);
      return undefined;
    }
  });

  readonly #httpRequests = new Counter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly #httpDuration = new CellHistogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly messagesAccepted = new Counter({
    name: 'switchboard_messages_accepted_total',
    help: 'Send SMS requests accepted (committed), by API generation (idempotent repeats not counted).',
    labelNames: ['api'] as const,
    registers: [this.registry],
  });

  readonly recipientsAccepted = new Counter({
    name: 'switchboard_recipients_accepted_total',
    help: 'Recipients of accepted Send SMS requests, by API generation.',
    labelNames: ['api'] as const,
    registers: [this.registry],
  });

  readonly segmentsSubmitted = new Counter({
    name: 'switchboard_segments_submitted_total',
    help: 'SMS segments (parts) the network accepted.',
    registers: [this.registry],
  });

  readonly recipientsFinal = new Counter({
    name: 'switchboard_recipients_final_total',
    help: 'Recipients that reached a final state: DeliveredToTerminal, DeliveryImpossible or DeliveryUncertain.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly moMessages = new Counter({
    name: 'switchboard_mo_messages_total',
    help: 'Whole MO messages received, by where they went: inbox (poll), notify (callback or subscription), unrouted.',
    labelNames: ['disposition'] as const,
    registers: [this.registry],
  });

  readonly jobAttempts = new Counter({
    name: 'switchboard_job_attempts_total',
    help: 'Job attempts started (claims), by job kind: submit, webhook.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly jobRetries = new Counter({
    name: 'switchboard_job_retries_total',
    help: 'Failed job attempts that will be retried, by job kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly jobsExhausted = new Counter({
    name: 'switchboard_jobs_exhausted_total',
    help: 'Jobs given up (permanent failure or retry window over), by job kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly webhookAttempts = new Counter({
    name: 'switchboard_webhook_attempts_total',
    help: 'POSTs of notifications to app listeners started.',
    registers: [this.registry],
  });

  readonly webhookFailures = new Counter({
    name: 'switchboard_webhook_failures_total',
    help: 'Notification POSTs that failed (no 2xx, timeout, refused).',
    registers: [this.registry],
  });

  readonly webhookDeadLetters = new Counter({
    name: 'switchboard_webhook_dead_letters_total',
    help: 'Notifications dead-lettered: their retry window ended without a 2xx.',
    registers: [this.registry],
  });

  readonly storeLatency = new CellHistogram({
    name: 'switchboard_store_operation_duration_seconds',
    help: 'Time of store operations (a commit included), by repository and operation.',
    labelNames: ['repo', 'op'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly #storeUp = new Gauge({
    name: 'switchboard_store_up',
    help: 'Whether the store answered this scrape\'s reads (1) or not (0).',
    registers: [this.registry],
    // The backlog read (shared by this scrape's gauges) sets it.
    collect: async () => {
      await this.#backlog();
    },
  });

  readonly #backlogJobs = new Gauge({
    name: 'switchboard_dispatch_backlog_jobs',
    help: "Jobs due now and not yet done (submits and notifications, and the simulator's deliveries while it runs).",
    registers: [this.registry],
    collect: async () => {
      const backlog = await this.#backlog();
      if (backlog !== undefined) this.#backlogJobs.set(backlog.ready);
    },
  });

  readonly #oldestDue = new Gauge({
    name: 'switchboard_dispatch_oldest_due_job_age_seconds',
    help: 'How long the oldest due job has been waiting (0 when none is due).',
    registers: [this.registry],
    collect: async () => {
      const backlog = await this.#backlog();
      if (backlog !== undefined) this.#oldestDue.set(backlog.oldestDueMs / 1000);
    },
  });

  constructor() {
    this.#smppSeries();
    collectDefaultMetrics({ register: this.registry });
  }

  /** Connects the scrape-time gauges and the job runners' events. Called once per gateway. */
  watch(sources: MetricSources): void {
    this.#sources = sources;
    const { dispatch, webhooks } = sources.runners;
    for (const runner of [dispatch, webhooks]) {
      runner.on('job:claimed', (job) => this.jobAttempts.inc({ kind: job.kind }));
      runner.on('job:retry', (job) => this.jobRetries.inc({ kind: job.kind }));
      runner.on('job:exhausted', (job) => this.jobsExhausted.inc({ kind: job.kind }));
    }
    // An attempt that ends without markSubmitted leaves its memo behind; drop it.
    dispatch.on('job:retry', (job) => this.#submitting.delete(job.ref));
    dispatch.on('job:exhausted', (job) => this.#submitting.delete(job.ref));
    dispatch.on('job:lost', (job) => this.#submitting.delete(job.ref));
    webhooks.on('job:claimed', (job) => {
      if (job.kind === 'webhook') this.webhookAttempts.inc();
    });
    webhooks.on('job:retry', (job) => {
      if (job.kind === 'webhook') this.webhookFailures.inc();
    });
    webhooks.on('job:exhausted', (job) => {
      if (job.kind !== 'webhook') return;
      this.webhookFailures.inc();
      this.webhookDeadLetters.inc();
    });
  }

  /**
   * One HTTP answer, timed when its start is known. Every answer is counted here: those of the
   * routes from fastify's onResponse hook (metrics/http.ts), and those given where no hook runs
   * (app.ts `frameworkErrors`, client-error.ts). Without a route pattern (none matched, or none
   * was reached) the route is `unmatched`. `method` must be one Node parses or a fixed word,
   * never a client's token as it came: each would be a new series.
   */
  httpAnswered(method: string, routePattern: string | undefined, status: number, seconds?: number): void {
    const route = routePattern ?? 'unmatched';
    this.#httpRequests.inc({ method, route, status: String(status) });
    if (seconds !== undefined) this.#httpDuration.cell({ method, route }).observe(seconds);
  }

  /** A submit is about to go to the network (store: the recipient was read for it). */
  submitting(recipientId: string, segments: number): void {
    // Bounded by the jobs in flight; the cap only guards against a caller that never finishes.
    if (this.#submitting.size >= 10_000) this.#submitting.clear();
    this.#submitting.set(recipientId, segments);
  }

  /** The network accepted a recipient's submit. */
  submitted(recipientId: string): void {
    const segments = this.#submitting.get(recipientId);
    this.#submitting.delete(recipientId);
    if (segments !== undefined) this.segmentsSubmitted.inc(segments);
  }

  #backlog(): Promise<{ ready: number; oldestDueMs: number } | undefined> {
    return this.#backlogOnce();
  }

  /** SMPP link series, read from the links at scrape time (empty on the simulator). */
  #smppSeries(): void {
    const links = () => this.#sources?.smpp?.linkReport();
    const perLink = (name: string, help: string, value: (link: SmppReport['links'][number]) => number) => {
      const gauge: Gauge<'link'> = new Gauge({
        name,
        help,
        labelNames: ['link'] as const,
        registers: [this.registry],
        collect: () => {
          const report = links();
          if (report === undefined) return;
          gauge.reset();
          for (const link of report) gauge.set({ link: link.name }, value(link));
        },
      });
    };
    // Counts the link keeps itself, which only go up (from 0 when the process starts, a reset
    // Prometheus's rate() allows for): counters, set from the link's count at each scrape.
    const perLinkCount = (name: string, help: string, value: (link: SmppReport['links'][number]) => number) => {
      const counter: Counter<'link'> = new Counter({
        name,
        help,
        labelNames: ['link'] as const,
        registers: [this.registry],
        collect: () => {
          const report = links();
          if (report === undefined) return;
          counter.reset();
          for (const link of report) counter.inc({ link: link.name }, value(link));
        },
      });
    };
    perLink('switchboard_smpp_link_bound', 'Whether the SMPP link is bound (1) or not (0).', (l) => (l.bound ? 1 : 0));
    perLink('switchboard_smpp_window_in_use', 'submit_sm PDUs awaiting their response on the link.', (l) => l.windowInUse);
    perLink('switchboard_smpp_window_size', 'The link window (SWITCHBOARD_SMPP_WINDOW).', (l) => l.windowSize);
    perLink('switchboard_smpp_queued', 'Submits waiting for room in the window or the throughput limit.', (l) => l.queued);
    perLinkCount('switchboard_smpp_reconnects_total', 'Binds re-established after a link loss.', (l) => l.reconnects);
    perLinkCount('switchboard_smpp_submitted_total', 'submit_sm PDUs the SMSC accepted on the link.', (l) => l.submitted);
    perLinkCount('switchboard_smpp_throttled_total', 'submit_sm PDUs the SMSC answered with a throttling error.', (l) => l.throttled);
  }
}
