/**
 * A Stripe API simulator the official `stripe` SDK can talk to over plain HTTP:
 *
 *   const sim = await startStripeSimulator();
 *   const stripe = new Stripe('sk_test_x', { host: sim.host, port: sim.port, protocol: 'http', maxNetworkRetries: 0 });
 *
 * It speaks Stripe's wire protocol (form-encoded bodies, JSON answers, Stripe's error shapes and
 * statuses, idempotency keys) for PaymentIntents and refunds, maps Stripe's public test cards to
 * their outcomes, records what really happened in `ledger`, and injects network faults via `faults`.
 */
import { SimulatorServer } from './server.js';
import type { StripeFaults } from './faults.js';
import type { StripeLedger } from './ledger.js';

export type { StripeFault, StripeFaultOptions, StripeFaults } from './faults.js';
export type { LedgerPaymentIntent, LedgerRefund, LedgerRequest, LedgerTotals, StripeLedger } from './ledger.js';
export type { LedgerEvent, LedgerEventType } from './state.js';
export { TEST_CARDS, type CardOutcome, type TestCard } from './test-cards.js';

export interface StripeSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Accepted secret keys. Default: any key starting with `sk_test_`. */
  apiKeys?: string[];
  /** Clock in ms (default Date.now), e.g. to move past the 24 h idempotency window in a test. */
  now?: () => number;
}

export interface StripeSimulator {
  readonly host: string;
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly ledger: StripeLedger;
  readonly faults: StripeFaults;
  /** Stops listening and drops every open connection, hung ones included. */
  close(): Promise<void>;
}

export async function startStripeSimulator(opts: StripeSimulatorOptions = {}): Promise<StripeSimulator> {
  const server = new SimulatorServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    apiKeys: opts.apiKeys ? [...opts.apiKeys] : undefined,
    now: opts.now ?? Date.now,
  });
  const { host, port, url } = await server.listen();
  return {
    host,
    port,
    url,
    ledger: server.ledger,
    faults: server.faults,
    close: () => server.close(),
  };
}
