import { prometheus } from '@hono/prometheus';
import type { MiddlewareHandler } from 'hono';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppEnv } from '../../api/env.js';
import type { Clock } from '../../domain/clock.js';
import type { AuthorizationOutcome } from '../../domain/outcome.js';
import { Problem } from '../../domain/problem.js';
import type { CreatedPayment } from '../../orchestrator/payments.js';
import type { Router } from '../../orchestrator/router.js';
import { amountBand } from '../../routing/learner/segment.js';
import type { RecordedOutcome } from '../../routing/merchant-learners.js';
import type { RoutingTransaction } from '../../routing/rules/transaction.js';
import type { JobStats } from '../../store/jobs.js';

/**
 * (merchant, gateway account, segment) cells whose learner estimate is exported; cells seen
 * after these are not, so a long-running instance keeps a bounded number of series.
 */
export const MAX_ESTIMATE_SERIES = 500;

/** Gateway calls take from a few milliseconds (a simulator) to the gateway timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Metrics {
  registry: Registry;
  /** HTTP request counts and durations (by method, route template and status), idempotency conflicts and replays. */
  middleware: MiddlewareHandler<AppEnv>[];
  render(): Promise<string>;
  contentType: string;
  paymentCreated(created: CreatedPayment): void;
  /** One call to a gateway: its provider, account, operation, outcome kind and duration. */
  gatewayCall(call: { provider: string; accountId: string; operation: string; outcome: string; seconds: number }): void;
  /** Counts what `router`'s learner hears and exports its estimates and breakers; answers a function that stops it. */
  follow(router: Router): () => void;
}

/**
 * The instance's Prometheus metrics. Everything on the payment path is counted in memory where the
 * outcome is already known; what lives in the database (job backlog) is read when scraped. Labels
 * are ids the router made (gateway accounts), closed sets (statuses, outcomes, canonical decline
 * reasons, card networks, amount bands, currencies) or route templates: never a payment id or a
 * string a merchant chose.
 */
export function createMetrics(deps: { jobStats: () => Promise<JobStats[]>; clock: Clock }): Metrics {
  const registry = new Registry();
  // Process metrics under their usual names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, …).
  collectDefaultMetrics({ register: registry });
  const http = prometheus({ registry, prefix: 'switchyard_' });

  const payments = new Counter({
    name: 'switchyard_payments_total',
    help: 'Payments created on this instance, by the status their create call answered, failure code, final gateway account and segment (card network and amount band).',
    labelNames: ['status', 'failure_code', 'gateway_account', 'segment'] as const,
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'switchyard_attempts_total',
    help: 'Authorization outcomes the router learned from on this instance (attempts, 3-D Secure completions, reconciler findings), by gateway account, outcome, reason (canonical decline reason, or why it was not processed or is unknown) and segment.',
    labelNames: ['gateway_account', 'outcome', 'reason', 'segment'] as const,
    registers: [registry],
  });
  const calls = new Histogram({
    name: 'switchyard_gateway_call_duration_seconds',
    help: 'Calls to gateways, by provider, gateway account, operation and outcome kind.',
    labelNames: ['provider', 'gateway_account', 'operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'switchyard_idempotency_conflicts_total',
    help: 'Requests refused for their Idempotency-Key: still in progress (idempotency_key_in_use) or used with another request (idempotency_key_reused).',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const replays = new Counter({
    name: 'switchyard_idempotency_replays_total',
    help: 'Requests answered with the stored answer of an earlier request with the same Idempotency-Key.',
    registers: [registry],
  });

  // Gateway accounts this instance has called or learned about: their breakers are exported.
  const accounts = new Set<string>();
  const estimated = new Map<string, { merchantId: string; accountId: string; segment: string; tx: RoutingTransaction }>();
  let router: Router | undefined;
  const record = ({ merchantId, accountId, tx, outcome }: RecordedOutcome) => {
    const segment = segmentOf(tx);
    accounts.add(accountId);
    attempts.inc({ gateway_account: accountId, outcome: outcome.kind, reason: reasonOf(outcome), segment });
    const cell = `${accountId} ${segment} ${tx.currency}`;
    if (!estimated.has(cell) && estimated.size < MAX_ESTIMATE_SERIES) {
      // Only what the segment is made of is kept (no BIN): the estimate is read again at each scrape.
      const facts: RoutingTransaction = { ...tx, paymentId: '', metadata: {}, card: { network: tx.card.network, type: null, bin: '', issuerCountry: tx.card.issuerCountry } };
      estimated.set(cell, { merchantId, accountId, segment, tx: facts });
    }
  };

  new Gauge({
    name: 'switchyard_breaker_open',
    help: 'Circuit breaker state per gateway account this instance has used: 1 for the current state (closed, open, half_open), 0 for the others.',
    labelNames: ['gateway_account', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const accountId of router ? accounts : []) {
        const current = router!.breakers.state(accountId);
        for (const state of ['closed', 'open', 'half_open'] as const) this.set({ gateway_account: accountId, state }, state === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'switchyard_learner_success_estimate',
    help: `The success-rate learner's estimate per gateway account and segment (card network, amount band, currency; "all" across segments), for at most ${MAX_ESTIMATE_SERIES} cells.`,
    labelNames: ['gateway_account', 'segment', 'currency'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (!router) return;
      const learners = router.learner;
      const overall = new Map<string, string>();
      for (const { merchantId, accountId, segment, tx } of estimated.values()) {
        const learner = learners.of(merchantId);
        this.set({ gateway_account: accountId, segment, currency: tx.currency }, learner.estimate(accountId, tx).p);
        overall.set(accountId, merchantId);
      }
      for (const [accountId, merchantId] of overall) this.set({ gateway_account: accountId, segment: 'all', currency: 'all' }, learners.of(merchantId).overall(accountId).p);
    },
  });
  const backlog = new Gauge({
    name: 'switchyard_jobs',
    help: 'Background jobs (reconciler, merchant webhooks, maintenance) by kind and state (scheduled, running, done, dead), read from the database at scrape time.',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
  });
  const overdue = new Gauge({
    name: 'switchyard_job_oldest_overdue_seconds',
    help: 'Per job kind, how long the oldest scheduled job has been due (0 when none is due).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  /** One grouped query per scrape; prom-client collects gauges concurrently, so it runs before rendering. */
  async function readJobs(): Promise<void> {
    const stats = await deps.jobStats();
    const now = deps.clock.now().getTime();
    backlog.reset();
    overdue.reset();
    for (const s of stats) {
      backlog.set({ kind: s.kind, state: s.state }, s.count);
      if (s.state === 'scheduled') overdue.set({ kind: s.kind }, s.oldestRunAt ? Math.max(0, (now - s.oldestRunAt.getTime()) / 1000) : 0);
    }
  }

  const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
    await next();
    const error = c.error;
    if (error instanceof Problem && (error.code === 'idempotency_key_in_use' || error.code === 'idempotency_key_reused')) conflicts.inc({ code: error.code });
    if (c.res.headers.get('Idempotent-Replayed') === 'true') replays.inc();
  };

  return {
    registry,
    middleware: [http.registerMetrics as MiddlewareHandler<AppEnv>, idempotency],
    async render() {
      await readJobs();
      return registry.metrics();
    },
    contentType: registry.contentType,
    paymentCreated({ payment }) {
      const segment = `${(payment.card?.brand ?? payment.wallet?.network ?? 'unknown')}_${amountBand(payment.amount, payment.currency)}`;
      payments.inc({ status: payment.status, failure_code: payment.failureCode ?? '', gateway_account: payment.gatewayAccountId ?? '', segment });
    },
    gatewayCall({ provider, accountId, operation, outcome, seconds }) {
      accounts.add(accountId);
      calls.observe({ provider, gateway_account: accountId, operation, outcome }, seconds);
    },
    follow(followed) {
      router = followed;
      return followed.learner.watch(record);
    },
  };
}

function segmentOf(tx: RoutingTransaction): string {
  return `${tx.card.network}_${amountBand(tx.amount, tx.currency)}`;
}

function reasonOf(outcome: AuthorizationOutcome): string {
  switch (outcome.kind) {
    case 'declined':
      return outcome.decline.reason;
    case 'not_processed':
    case 'unknown':
      return outcome.reason;
    default:
      return '';
  }
}
