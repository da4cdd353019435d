/**
 * A Braintree gateway simulator the official `braintree` SDK talks to over plain HTTP:
 *
 *   const sim = await startBraintreeSimulator({ merchantId: 'm', publicKey: 'pub', privateKey: 'priv' });
 *   const gateway = new braintree.BraintreeGateway({
 *     environment: new braintree.Environment(sim.host, String(sim.port), '', false, sim.host, String(sim.port)),
 *     merchantId: 'm', publicKey: 'pub', privateKey: 'priv',
 *   });
 *
 * It speaks the SDK's wire format (JSON requests, XML answers, 422 `<api-error-response>`),
 * follows the sandbox's test amounts and cards, records what really happened in `ledger`, takes
 * the shared simulator controls, and posts signed notifications as transactions settle.
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorControl, WebhookSigner } from '../../testkit/simulator.js';
import { readSavedSimulator, simulatorControl, webhookRetryOptions } from '../../testkit/simulator-runtime.js';
import { BRAINTREE_RETRY_SCHEDULE, type RetrySchedule } from '../../testkit/webhook-schedules.js';
import { isCurrency } from '../../../src/domain/currency.js';
import type { BraintreeLedger } from './ledger.js';
import { createBraintreeWebhookSigner } from './notifications.js';
import { SimulatorServer, type BraintreeAccount, type SavedBraintreeSimulator } from './server.js';

export type { BraintreeLedger, LedgerDelivery, LedgerRequest, LedgerTransaction } from './ledger.js';
export type { BraintreeAccount, SavedBraintreeSimulator } from './server.js';
export { CVV_NO_MATCH, FRAUD_CARD } from './sandbox.js';
export { createBraintreeWebhookSigner } from './notifications.js';

export interface BraintreeSimulatorOptions {
  /** The merchant id in every API path. Default: the saved one, else `simulator_merchant`. */
  merchantId?: string;
  /** The key pair clients authenticate with; the private key signs notifications. Default: the saved ones, else new ones. */
  publicKey?: string;
  privateKey?: string;
  /** Where settlement notifications are posted (also settable later); none are sent without it. */
  webhookUrl?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /**
   * Merchant account id → its currency (Braintree fixes one per account); the first is the
   * default for sales that name none. Default: one USD account named after the merchant.
   */
  merchantAccounts?: Readonly<Record<string, string>>;
  /**
   * How long a submitted sale or refund takes to settle (and send `transaction_settled`).
   * Default 0: it settles right away, so refunds work at once. null: only the testing
   * endpoints settle, as in Braintree's sandbox, and a refund before that is refused (91506).
   */
  settlementDelayMs?: number | null;
  /** Braintree's production retry schedule (default `BRAINTREE_RETRY_SCHEDULE`), scaled by `scale` (default 1). */
  webhookRetry?: { scale?: number; schedule?: RetrySchedule; concurrency?: number };
  /**
   * A JSON file the simulator keeps its state in (transactions with BIN and last 4 only, keys,
   * undelivered notifications): read at start, written soon after each change and at close.
   * Default: none, in memory only.
   */
  statePath?: string;
}

export interface BraintreeSimulator extends SimulatorControl {
  readonly ledger: BraintreeLedger;
  /** Signs notifications as this simulator's gateway does, for verification tests. */
  readonly webhooks: WebhookSigner;
  /** The credentials in force. */
  readonly account: BraintreeAccount;
}

export async function startBraintreeSimulator(options: BraintreeSimulatorOptions = {}): Promise<BraintreeSimulator> {
  const statePath = options.statePath ?? null;
  const saved = await readSavedSimulator<SavedBraintreeSimulator>(statePath, 'braintree', 'Braintree');
  const account: BraintreeAccount = {
    merchantId: options.merchantId ?? saved?.account.merchantId ?? 'simulator_merchant',
    publicKey: options.publicKey ?? saved?.account.publicKey ?? randomBytes(8).toString('hex'),
    privateKey: options.privateKey ?? saved?.account.privateKey ?? randomBytes(16).toString('hex'),
  };
  const merchantAccounts = new Map(Object.entries(options.merchantAccounts ?? { [account.merchantId]: 'USD' }));
  if (merchantAccounts.size === 0) throw new Error('a simulator needs at least one merchant account');
  for (const currency of merchantAccounts.values()) if (!isCurrency(currency)) throw new Error(`unknown currency ${currency}`);
  const server = new SimulatorServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    account,
    webhookUrl: options.webhookUrl ?? null,
    merchantAccounts,
    settlementDelayMs: options.settlementDelayMs === undefined ? 0 : options.settlementDelayMs,
    webhookRetry: webhookRetryOptions(options.webhookRetry, BRAINTREE_RETRY_SCHEDULE),
    statePath,
    saved,
  });
  await server.runtime.listen();
  await server.runtime.save();
  return {
    ...simulatorControl(server.runtime, server),
    account: { ...account },
    ledger: server.ledger,
    webhooks: createBraintreeWebhookSigner(account),
    idle: () => server.idle(),
  };
}
