/**
 * A PayPal REST API simulator the official `@paypal/paypal-server-sdk` talks to over plain HTTP:
 * OAuth2 client credentials, Orders v2 (create with a PayPal payment source, the payer's approval
 * page, capture or authorize), Payments v2 (capture and void of authorizations, refunds of
 * captures), PayPal-Request-Id, webhooks signed SHA256withRSA over
 * `transmission_id|time|webhook_id|crc32(body)` and the verify-webhook-signature call; sandbox
 * payers that decline; a ledger; the shared steering; its state kept in a file when given one.
 * Node only. See ../README.md.
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorControl, WebhookSigner } from '../../testkit/simulator.js';
import { readSavedSimulator, simulatorControl, webhookRetryOptions } from '../../testkit/simulator-runtime.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import { PAYPAL_RETRY_SCHEDULE } from './retry-schedule.js';
import { PayPalSimulatorServer, signingKeyFrom, type PayPalAccount, type SavedPayPalSimulator } from './server.js';
import type { PayPalLedger } from './state.js';
import { newSigningKey, paypalWebhookSigner } from './webhook-signer.js';

export type { PayPalAccount } from './server.js';
export type { OrderRecord, PayPalLedger } from './state.js';
export { DECLINING_PAYERS, DEFAULT_PAYER_EMAIL } from './payers.js';

export interface PayPalSimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** The webhook's id, which deliveries are signed for. Default: the saved one, else a new one. */
  webhookId?: string;
  webhookUrl?: string;
  webhookRetry?: { scale?: number; schedule?: RetrySchedule; concurrency?: number };
  statePath?: string;
  host?: string;
  port?: number;
}

export interface PayPalSimulator extends SimulatorControl {
  readonly ledger: PayPalLedger;
  readonly webhooks: WebhookSigner;
  readonly account: PayPalAccount;
}

export async function startPayPalSimulator(options: PayPalSimulatorOptions = {}): Promise<PayPalSimulator> {
  const statePath = options.statePath ?? null;
  const saved = await readSavedSimulator<SavedPayPalSimulator>(statePath, 'paypal', 'PayPal');
  const account: PayPalAccount = {
    clientId: options.clientId ?? saved?.account.clientId ?? `A${randomBytes(20).toString('base64url')}`,
    clientSecret: options.clientSecret ?? saved?.account.clientSecret ?? `E${randomBytes(20).toString('base64url')}`,
    webhookId: options.webhookId ?? saved?.account.webhookId ?? randomBytes(9).toString('hex').toUpperCase(),
  };
  const key = saved ? signingKeyFrom(saved.signing) : await newSigningKey();
  const certId = saved?.signing.certId ?? randomBytes(13).toString('hex');
  const server = new PayPalSimulatorServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    account,
    key,
    certId,
    webhookUrl: options.webhookUrl ?? null,
    webhookRetry: webhookRetryOptions(options.webhookRetry, PAYPAL_RETRY_SCHEDULE),
    statePath,
    saved,
  });
  await server.runtime.listen();
  await server.runtime.save();
  return {
    ...simulatorControl(server.runtime, server),
    account: { ...account },
    ledger: server.ledger,
    webhooks: paypalWebhookSigner(key, account.webhookId, server.certUrl),
  };
}
