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
import type { SimulatorControl, WebhookSigner } from '../../testkit/simulator.js';
import { isCurrency } from '../../../src/domain/currency.js';
import type { BraintreeLedger } from './ledger.js';
import { createBraintreeWebhookSigner } from './notifications.js';
import { SimulatorServer } from './server.js';

export type { BraintreeLedger, LedgerDelivery, LedgerRequest, LedgerTransaction } from './ledger.js';
export { CVV_NO_MATCH, FRAUD_CARD } from './sandbox.js';
export { createBraintreeWebhookSigner } from './notifications.js';

export interface BraintreeSimulatorOptions {
  merchantId: string;
  publicKey: string;
  privateKey: string;
  /** Where settlement notifications are posted; none are sent without it. */
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
}

export interface BraintreeSimulator extends SimulatorControl {
  readonly ledger: BraintreeLedger;
  /** Signs notifications as this simulator's gateway does, for verification tests. */
  readonly webhooks: WebhookSigner;
}

export async function startBraintreeSimulator(options: BraintreeSimulatorOptions): Promise<BraintreeSimulator> {
  const merchantAccounts = new Map(Object.entries(options.merchantAccounts ?? { [options.merchantId]: 'USD' }));
  if (merchantAccounts.size === 0) throw new Error('a simulator needs at least one merchant account');
  for (const currency of merchantAccounts.values()) if (!isCurrency(currency)) throw new Error(`unknown currency ${currency}`);
  const server = new SimulatorServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    merchantId: options.merchantId,
    publicKey: options.publicKey,
    privateKey: options.privateKey,
    webhookUrl: options.webhookUrl ?? null,
    merchantAccounts,
    settlementDelayMs: options.settlementDelayMs === undefined ? 0 : options.settlementDelayMs,
  });
  const { host, port, url } = await server.listen();
  return {
    host,
    port,
    url,
    ledger: server.ledger,
    webhooks: createBraintreeWebhookSigner(options),
    setFault: (fault, faultOptions) => server.setFault(fault, faultOptions),
    clearFault: () => server.clearFault(),
    setApprovalRates: (rules, seed) => server.approval.set(rules, seed),
    setLatency: (distribution, seed) => server.latency.set(distribution, seed),
    close: () => server.close(),
  };
}
