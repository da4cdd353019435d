/**
 * An Adyen Checkout API (v72) simulator the official `@adyen/api-library` can talk to over plain
 * HTTP: payments with raw test cards, captures, refunds, cancels and reversals answered `received`
 * and settled later by HMAC-signed standard notifications POSTed to `webhookUrl`; Adyen's error
 * bodies, idempotency and test triggers; a ledger; and the shared steering of `SimulatorControl`.
 * Node only. See ../README.md.
 */
import type { SimulatorControl, WebhookSigner } from '../../testkit/simulator.js';
import type { NotificationDelivery } from './notifications.js';
import { AdyenSimulatorServer } from './server.js';
import type { AdyenLedger } from './state.js';
import { adyenWebhookSigner } from './webhook-signer.js';

export type { NotificationDelivery } from './notifications.js';
export type { AdyenLedger, LoggedRequest, ModificationRecord, PaymentRecord } from './state.js';
export { HOLDER_NAME_TRIGGERS, TEST_CARDS, type TestCard } from './test-cards.js';
export { adyenWebhookSigner } from './webhook-signer.js';

export interface AdyenSimulatorOptions {
  /** Hex HMAC key the notifications are signed with. */
  hmacKey: string;
  /** The accepted X-API-Key. Default: any non-empty key. */
  apiKey?: string;
  /** The one merchant account the key may use (403 for others). Default: any. */
  merchantAccount?: string;
  /** Where notifications are POSTed. Default: none (they are still logged). */
  webhookUrl?: string;
  /** Before a modification is decided and a notification sent. Default 20. */
  notificationDelayMs?: number;
  /** Delivery attempts after the first. Default 3. */
  notificationRetries?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port (kept when connections are refused and accepted again). */
  port?: number;
}

export interface AdyenSimulator extends SimulatorControl {
  readonly ledger: AdyenLedger;
  /** Signs notifications with the simulator's key, as it signs its own. */
  readonly webhooks: WebhookSigner;
  /** Every notification produced, and whether it was delivered. */
  notifications(): readonly NotificationDelivery[];
  /** Resolves once no modification is waiting to be decided and no notification is in flight. */
  idle(): Promise<void>;
  setWebhookUrl(url: string | null): void;
}

export async function startAdyenSimulator(options: AdyenSimulatorOptions): Promise<AdyenSimulator> {
  const server = new AdyenSimulatorServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    apiKey: options.apiKey ?? null,
    merchantAccount: options.merchantAccount ?? null,
    hmacKey: options.hmacKey,
    webhookUrl: options.webhookUrl ?? null,
    notificationDelayMs: options.notificationDelayMs ?? 20,
    notificationRetries: options.notificationRetries ?? 3,
  });
  const { host, port, url } = await server.listen();
  return {
    host,
    port,
    url,
    ledger: server.ledger,
    webhooks: adyenWebhookSigner({ hmacKey: options.hmacKey, merchantAccount: options.merchantAccount ?? 'SimulatorMerchant' }),
    setFault: (fault, faultOptions) => server.setFault(fault, faultOptions),
    clearFault: () => server.clearFault(),
    setApprovalRates: (rules, seed) => server.approval.set(rules, seed),
    setLatency: (distribution, seed) => server.latency.set(distribution, seed),
    notifications: () => server.notifier.deliveries(),
    idle: () => server.notifier.idle(),
    setWebhookUrl: (url) => {
      server.notifier.webhookUrl = url;
    },
    close: () => server.close(),
  };
}
