/**
 * The chaos run's configuration: how much load, how many kills, the fault windows, and the
 * router's short settlement policy. The policy is what bounds the recovery window:
 *
 *   request lease 5 s + reconciler tries after 0.5 + 1 + 2 + 3 + 4 + 5 + 6 s = 26.5 s
 *
 * after the last state change anything the reconciler cannot settle is flagged for review. The
 * schedule is compressed, the fault windows are not, so it keeps what the real one has: several
 * tries, seconds apart, after a gateway's "no such payment" counts as proof (6 s), so that one
 * fault window (1–2 s) cannot cover them all and flag for review what the real schedule
 * (30 s ... 24 h) would settle. The providers' webhook retries (scaled by 0.002) are due within
 * ~58 s of a failed attempt (Adyen's 8-hour interval; Stripe's and Braintree's first retries in
 * 1–8 s), and a late webhook still settles a flagged payment; the 30-second Idempotency-Key lease
 * (fixed in the router) is waited out by the client during the load. The 120-second window
 * leaves margin over both.
 */

export type Driver = 'pglite' | 'postgres';

export interface ChaosConfig {
  quick: boolean;
  seed: number;
  orders: number;
  /** HTTP requests in flight at once: the merchant's connection pool. */
  concurrency: number;
  /**
   * Orders under way at once (each a sequence of requests: create, capture or cancel, refunds).
   * An order waiting (for a payment to settle, a held key's Retry-After, a back-off) holds no
   * request slot, so one stalled order does not stall the load.
   */
  ordersInProgress: number;
  /** SIGKILL restarts of the router during the load. */
  kills: number;
  /** How long after the load (faults cleared) everything must have settled. */
  recoveryWindowMs: number;
  /** The router's settlement policy and timeouts (its environment). */
  router: {
    gatewayTimeoutMs: number;
    requestLeaseMs: number;
    reconcileDelaysMs: readonly number[];
    notFoundAfterMs: number;
    actionTtlMs: number;
    jobPollMs: number;
    /** When the reconciler looks up a bank debit the gateway accepted (the last delay repeating). */
    settlementDelaysMs: readonly number[];
  };
  /** Real ms per bank day: GoCardless' calendar moves on a day, and BitPay's waiting refunds get their payer's address. */
  bankDayMs: number;
  /** Multiplies the providers' webhook retry schedules (SIMULATOR_WEBHOOK_RETRY_SCALE). */
  webhookRetryScale: number;
  faults: {
    /** Per simulator: a request fault is on for [min, max] ms, then off for [min, max] ms. */
    requestOnMs: readonly [number, number];
    requestOffMs: readonly [number, number];
    /** On every simulator at once: webhook faults on for [min, max] ms, then off. */
    webhookOnMs: readonly [number, number];
    webhookOffMs: readonly [number, number];
    /** Probabilities per delivery attempt while webhook faults are on (the first that hits applies, in this order). */
    webhookRates: { dropForever: number; drop: number; duplicate: number; delay: number; reorder: number };
    /** How long a `delay` webhook fault holds an attempt (real ms). */
    webhookDelayMs: number;
  };
  /** The merchant client: how long it keeps retrying one request, and waits for one payment to settle. */
  client: { requestTimeoutMs: number; callDeadlineMs: number; settleWaitMs: number };
}

export function chaosConfig(quick: boolean, seed: number): ChaosConfig {
  return {
    quick,
    seed,
    orders: quick ? 200 : 3000,
    concurrency: 16,
    ordersInProgress: 48,
    kills: quick ? 2 : 4,
    recoveryWindowMs: 120_000,
    router: {
      gatewayTimeoutMs: 2000,
      requestLeaseMs: 5000,
      reconcileDelaysMs: [500, 1000, 2000, 3000, 4000, 5000, 6000],
      notFoundAfterMs: 6000,
      actionTtlMs: 30_000,
      jobPollMs: 250,
      settlementDelaysMs: [1000, 2000, 3000],
    },
    bankDayMs: 1000,
    webhookRetryScale: 0.002,
    faults: {
      requestOnMs: [1000, 2000],
      requestOffMs: [4000, 10_000],
      webhookOnMs: [4000, 8000],
      webhookOffMs: [3000, 6000],
      webhookRates: { dropForever: 0.03, drop: 0.25, duplicate: 0.15, delay: 0.15, reorder: 0.15 },
      webhookDelayMs: 1500,
    },
    // A quick run's client waits less for a payment to settle before moving on (its end state is judged after the window anyway).
    client: { requestTimeoutMs: 30_000, callDeadlineMs: 120_000, settleWaitMs: quick ? 20_000 : 45_000 },
  };
}

/** The router's environment for this configuration (besides ports, key, database). */
export function routerSettlementEnv(config: ChaosConfig): Record<string, string> {
  const r = config.router;
  return {
    SWITCHYARD_GATEWAY_TIMEOUT_MS: String(r.gatewayTimeoutMs),
    SWITCHYARD_REQUEST_LEASE_MS: String(r.requestLeaseMs),
    SWITCHYARD_RECONCILE_DELAYS_MS: r.reconcileDelaysMs.join(','),
    SWITCHYARD_NOT_FOUND_AFTER_MS: String(r.notFoundAfterMs),
    SWITCHYARD_ACTION_TTL_MS: String(r.actionTtlMs),
    SWITCHYARD_JOB_POLL_MS: String(r.jobPollMs),
    SWITCHYARD_SETTLEMENT_DELAYS_MS: r.settlementDelaysMs.join(','),
  };
}

/** When the reconciler has made its last try after a state was left: the lease, then every delay. */
export function settlementHorizonMs(config: ChaosConfig): number {
  return config.router.requestLeaseMs + config.router.reconcileDelaysMs.reduce((sum, d) => sum + d, 0);
}

/**
 * The demo merchant's seven accounts (activated through the API): PayPal, crypto and bank debits to
 * the one gateway each that the mix sends them to, cards spread over the four card gateways.
 */
export const CHAOS_RULESET = `rules:
  - id: paypal
    when: { payment_method: paypal }
    then: { route: [paypal] }
  - id: crypto
    when: { payment_method: crypto }
    then: { route: [bitpay] }
  - id: bank-debits
    when: { payment_method: { in: [sepa_debit, ach_debit] } }
    then: { route: [gocardless] }
default: { split: { stripe: 25, adyen: 25, braintree: 25, checkout: 25 } }
`;
