/**
 * A Checkout.com API simulator the official `checkout-sdk-node` talks to over plain HTTP:
 * POST /tokens with Apple Pay and Google Pay tokens (the public key's endpoint), POST /payments
 * with card and token sources (3-D Secure answered 202 Pending with `_links.redirect`),
 * GET /payments/{id} (or a session id), GET /payments?reference=, GET /payments/{id}/actions,
 * captures, voids and refunds answered 202 Accepted with an action id and confirmed by webhooks
 * signed with `Cko-Signature` (retried on Checkout.com's schedule); Cko-Idempotency-Key; the
 * shared sandbox test cards with Checkout.com's response codes; a ledger; the shared steering;
 * its state kept in a file when given one. Node only. See ../README.md.
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorControl, WebhookSigner } from '../../testkit/simulator.js';
import { readSavedSimulator, simulatorControl, webhookRetryOptions } from '../../testkit/simulator-runtime.js';
import { CHECKOUT_RETRY_SCHEDULE } from './retry-schedule.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import { CheckoutSimulatorServer, type CheckoutAccount, type SavedCheckoutSimulator } from './server.js';
import type { CheckoutLedger } from './state.js';
import { checkoutWebhookSigner } from './webhook-signer.js';

export type { CheckoutAccount } from './server.js';
export type { ActionRecord, CheckoutLedger, PaymentRecord } from './state.js';
export { checkoutWebhookSigner } from './webhook-signer.js';

export interface CheckoutSimulatorOptions {
  /** The accepted secret key. Default: the saved one, else any. */
  secretKey?: string;
  /** The accepted public key (POST /tokens). Default: the saved one, else any `pk_` key. */
  publicKey?: string;
  /** The webhook endpoint's signature key. Default: the saved one, else a new one. */
  webhookSecret?: string;
  /** Where webhooks are POSTed (also settable later). Default: none (they are still logged). */
  webhookUrl?: string;
  /** Checkout.com's retry schedule (default `CHECKOUT_RETRY_SCHEDULE`), scaled by `scale` (default 1). */
  webhookRetry?: { scale?: number; schedule?: RetrySchedule; concurrency?: number };
  /** A JSON file the simulator keeps its state in; default none (in memory). */
  statePath?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface CheckoutSimulator extends SimulatorControl {
  readonly ledger: CheckoutLedger;
  /** Signs events with the simulator's webhook key, as it signs its own. */
  readonly webhooks: WebhookSigner;
  readonly account: CheckoutAccount;
}

export async function startCheckoutSimulator(options: CheckoutSimulatorOptions = {}): Promise<CheckoutSimulator> {
  const statePath = options.statePath ?? null;
  const saved = await readSavedSimulator<SavedCheckoutSimulator>(statePath, 'checkout', 'Checkout.com');
  const account: CheckoutAccount = {
    secretKey: options.secretKey ?? saved?.account.secretKey ?? null,
    // State saved before the simulator took wallet tokens has no public key.
    publicKey: options.publicKey ?? saved?.account.publicKey ?? null,
    webhookSecret: options.webhookSecret ?? saved?.account.webhookSecret ?? randomBytes(24).toString('hex'),
  };
  const server = new CheckoutSimulatorServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    account,
    webhookUrl: options.webhookUrl ?? null,
    webhookRetry: webhookRetryOptions(options.webhookRetry, CHECKOUT_RETRY_SCHEDULE),
    statePath,
    saved,
  });
  await server.runtime.listen();
  await server.runtime.save();
  return {
    ...simulatorControl(server.runtime, server),
    account: { ...account },
    ledger: server.ledger,
    webhooks: checkoutWebhookSigner(account.webhookSecret),
  };
}
