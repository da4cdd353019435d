/**
 * A Stripe API simulator the official `stripe` SDK can talk to over plain HTTP:
 *
 *   const sim = await startStripeSimulator();
 *   const stripe = new Stripe('sk_test_x', { host: sim.host, port: sim.port, protocol: 'http', maxNetworkRetries: 0 });
 *
 * It speaks Stripe's wire protocol (form-encoded bodies, JSON answers, Stripe's error shapes and
 * statuses, idempotency keys) for PaymentIntents and refunds, maps Stripe's public test cards to
 * their outcomes, records what really happened in `ledger`, takes the shared steering
 * (`SimulatorControl`: faults, approval rates, latency) and sends signed webhooks when given an endpoint.
 */
import type { SimulatorControl } from '../../testkit/simulator.js';
import { SimulatorServer } from './server.js';
import type { StripeFaults } from './faults.js';
import type { StripeLedger } from './ledger.js';

export type { StripeFault, StripeFaultOptions, StripeFaults } from './faults.js';
export type { LedgerPaymentIntent, LedgerRefund, LedgerRequest, LedgerTotals, StripeLedger } from './ledger.js';
export type { LedgerEvent, LedgerEventType } from './state.js';
export { TEST_CARDS, type CardOutcome, type TestCard } from './test-cards.js';
export { stripeWebhookSigner } from './webhook-signer.js';

export interface StripeSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Accepted secret keys. Default: any key starting with `sk_test_`. */
  apiKeys?: string[];
  /** Clock in ms (default Date.now), e.g. to move past the 24 h idempotency window in a test. */
  now?: () => number;
  /** Where to POST webhook events, signed with `webhookSecret`; both or neither. */
  webhookUrl?: string;
  webhookSecret?: string;
}

export interface StripeSimulator extends SimulatorControl {
  readonly ledger: StripeLedger;
  /** Request faults, synchronously (`setFault` adds refuse_connections and replaces the fault in force). */
  readonly faults: StripeFaults;
}

export async function startStripeSimulator(opts: StripeSimulatorOptions = {}): Promise<StripeSimulator> {
  if ((opts.webhookUrl === undefined) !== (opts.webhookSecret === undefined)) {
    throw new Error('webhookUrl and webhookSecret go together');
  }
  const server = new SimulatorServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    apiKeys: opts.apiKeys ? [...opts.apiKeys] : undefined,
    now: opts.now ?? Date.now,
    webhooks: opts.webhookUrl !== undefined && opts.webhookSecret !== undefined ? { url: opts.webhookUrl, secret: opts.webhookSecret } : null,
  });
  const { host, port, url } = await server.listen();
  return {
    host,
    port,
    url,
    ledger: server.ledger,
    faults: server.faults,
    setFault: (fault, options) => server.setFault(fault, options),
    clearFault: () => server.clearFault(),
    setApprovalRates: (rules, seed) => server.approvals.set(rules, seed),
    setLatency: (distribution, seed) => server.latency.set(distribution, seed),
    close: () => server.close(),
  };
}
