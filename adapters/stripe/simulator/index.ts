/**
 * A Stripe API simulator the official `stripe` SDK can talk to over plain HTTP:
 *
 *   const sim = await startStripeSimulator();
 *   const stripe = new Stripe('sk_test_x', { host: sim.host, port: sim.port, protocol: 'http', maxNetworkRetries: 0 });
 *
 * It speaks Stripe's wire protocol (form-encoded bodies, JSON answers, Stripe's error shapes and
 * statuses, idempotency keys) for PaymentIntents and refunds, maps Stripe's public test cards to
 * their outcomes, records what really happened in `ledger`, takes the shared steering
 * (`SimulatorControl`: faults, approval rates, latency, webhook faults), sends signed webhooks
 * retried on Stripe's schedule when given an endpoint, and keeps its state in a file when given one.
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorControl } from '../../testkit/simulator.js';
import { readSavedSimulator, simulatorControl, webhookRetryOptions } from '../../testkit/simulator-runtime.js';
import { STRIPE_RETRY_SCHEDULE, type RetrySchedule } from '../../testkit/webhook-schedules.js';
import { SimulatorServer, type SavedStripeSimulator, type StripeAccount } from './server.js';
import type { StripeFaults } from './faults.js';
import type { StripeLedger } from './ledger.js';
import { randomToken } from './ids.js';
import { DEBIT_SETTLEMENT_MS } from './bank-debits.js';

export type { StripeFault, StripeFaultOptions, StripeFaults } from './faults.js';
export type { LedgerPaymentIntent, LedgerRefund, LedgerRequest, LedgerTotals, StripeLedger } from './ledger.js';
export type { LedgerEvent, LedgerEventType } from './state.js';
export type { SavedStripeSimulator, StripeAccount } from './server.js';
export { TEST_CARDS, type CardOutcome, type TestCard } from './test-cards.js';
export { stripeWebhookSigner } from './webhook-signer.js';
export { DEBIT_SETTLEMENT_MS } from './bank-debits.js';

export interface WebhookRetryOptions {
  /** Multiplies the retry schedule's delays (0.001: three days in under five minutes). Default 1. */
  scale?: number;
  /** Default: Stripe's live-mode schedule (`STRIPE_RETRY_SCHEDULE`). */
  schedule?: RetrySchedule;
  /** Deliveries in flight at once. Default 4. */
  concurrency?: number;
}

export interface StripeSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Accepted secret keys. Default: any key starting with `sk_test_`. */
  apiKeys?: string[];
  /** Clock in ms (default Date.now), e.g. to move past the 24 h idempotency window in a test. */
  now?: () => number;
  /** Where to POST webhook events (also settable later with `setWebhookUrl`). */
  webhookUrl?: string;
  /** The endpoint's signing secret. Default: the saved one, else a new `whsec_` secret. */
  webhookSecret?: string;
  /** The secret key `account` reports. Default: the saved one, else a new `sk_test_` key. */
  secretKey?: string;
  /**
   * A JSON file the simulator keeps its state in (objects, ledger, idempotency records,
   * secrets, undelivered webhooks): read at start, written soon after each change and at close.
   * Default: none, in memory only.
   */
  statePath?: string;
  webhookRetry?: WebhookRetryOptions;
  /** How long after confirmation a bank debit settles on the simulator's bank calendar. Default `DEBIT_SETTLEMENT_MS` (4 days). */
  debitSettlementMs?: number;
}

export interface StripeSimulator extends SimulatorControl {
  readonly ledger: StripeLedger;
  /** Request faults, synchronously (`setFault` adds refuse_connections and replaces the fault in force). */
  readonly faults: StripeFaults;
  /** The secrets a client and a webhook endpoint of this account use. */
  readonly account: StripeAccount;
  /** How long after confirmation a bank debit settles on the bank's calendar. */
  readonly debitSettlementMs: number;
  /** Moves the bank's calendar on by `ms`: SEPA debits falling due settle (or fail) and their events go out. */
  advanceBank(ms: number): void;
  /** The payer's bank returns a collected debit with this SEPA return code (MD06): a lost dispute; answers its Stripe reason. */
  returnDebit(paymentIntentId: string, schemeCode: string): string;
}

export async function startStripeSimulator(opts: StripeSimulatorOptions = {}): Promise<StripeSimulator> {
  const statePath = opts.statePath ?? null;
  const saved = await readSavedSimulator<SavedStripeSimulator>(statePath, 'stripe', 'Stripe');
  const account: StripeAccount = {
    secretKey: opts.secretKey ?? saved?.account.secretKey ?? `sk_test_${randomToken(24)}`,
    webhookSecret: opts.webhookSecret ?? saved?.account.webhookSecret ?? `whsec_${randomToken(32)}`,
  };
  const server = new SimulatorServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    apiKeys: opts.apiKeys ? [...opts.apiKeys] : undefined,
    now: opts.now ?? Date.now,
    account,
    hmacKey: saved ? Buffer.from(saved.account.hmacKey, 'base64') : randomBytes(32),
    webhookUrl: opts.webhookUrl ?? null,
    webhookRetry: webhookRetryOptions(opts.webhookRetry, STRIPE_RETRY_SCHEDULE),
    statePath,
    saved,
    debitSettlementMs: opts.debitSettlementMs ?? DEBIT_SETTLEMENT_MS,
  });
  await server.runtime.listen();
  await server.runtime.save();
  return {
    ...simulatorControl(server.runtime, { approval: server.approvals, latency: server.latency, dispatcher: server.dispatcher }),
    account: { ...account },
    ledger: server.ledger,
    faults: server.faults,
    debitSettlementMs: opts.debitSettlementMs ?? DEBIT_SETTLEMENT_MS,
    advanceBank: (ms) => server.advanceBank(ms),
    returnDebit: (paymentIntentId, schemeCode) => server.returnDebit(paymentIntentId, schemeCode),
    setFault: (fault, options) => server.setFault(fault, options),
  };
}
