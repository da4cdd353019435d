/**
 * An Adyen Checkout API (v72) simulator the official `@adyen/api-library` can talk to over plain
 * HTTP: payments with raw test cards, captures, refunds, cancels and reversals answered `received`
 * and settled later by HMAC-signed standard notifications POSTed to `webhookUrl` (retried on
 * Adyen's schedule); Adyen's error bodies, idempotency and test triggers; the shared sandbox test
 * cards; a ledger; the shared steering of `SimulatorControl`; its state kept in a file when given
 * one. Node only. See ../README.md.
 */
import { randomBytes } from 'node:crypto';
import { DEBIT_SETTLEMENT_MS } from './bank-debits.js';
import type { SimulatorControl, WebhookSigner } from '../../testkit/simulator.js';
import { readSavedSimulator, simulatorControl, webhookRetryOptions } from '../../testkit/simulator-runtime.js';
import { ADYEN_RETRY_SCHEDULE, type RetrySchedule } from '../../testkit/webhook-schedules.js';
import type { NotificationDelivery } from './notifications.js';
import { AdyenSimulatorServer, type AdyenAccount, type SavedAdyenSimulator } from './server.js';
import type { AdyenLedger } from './state.js';
import { adyenWebhookSigner } from './webhook-signer.js';

export type { NotificationDelivery } from './notifications.js';
export type { AdyenAccount, SavedAdyenSimulator } from './server.js';
export type { AdyenLedger, LoggedRequest, ModificationRecord, PaymentRecord } from './state.js';
export { HOLDER_NAME_TRIGGERS, TEST_CARDS, type TestCard } from './test-cards.js';
export { adyenWebhookSigner } from './webhook-signer.js';

export interface AdyenSimulatorOptions {
  /** Hex HMAC key the notifications are signed with. Default: the saved one, else a new one. */
  hmacKey?: string;
  /** The accepted X-API-Key. Default: the saved one, else any non-empty key. */
  apiKey?: string;
  /** The one merchant account the key may use (403 for others). Default: the saved one, else any. */
  merchantAccount?: string;
  /** Where notifications are POSTed (also settable later). Default: none (they are still logged). */
  webhookUrl?: string;
  /** Before a modification is decided and a notification sent. Default 20. */
  notificationDelayMs?: number;
  /** Adyen's retry schedule (default `ADYEN_RETRY_SCHEDULE`), scaled by `scale` (default 1). */
  webhookRetry?: { scale?: number; schedule?: RetrySchedule; concurrency?: number };
  /**
   * A JSON file the simulator keeps its state in (payments, modifications, idempotency records,
   * credentials, jobs not yet run, undelivered notifications): read at start, written soon after
   * each change and at close. Default: none, in memory only.
   */
  statePath?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port (kept when connections are refused and accepted again). */
  port?: number;
  /** How long after it is received a bank debit settles on the simulator's bank calendar. Default `DEBIT_SETTLEMENT_MS` (4 days). */
  debitSettlementMs?: number;
}

export interface AdyenSimulator extends SimulatorControl {
  readonly ledger: AdyenLedger;
  /** Signs notifications with the simulator's key, as it signs its own. */
  readonly webhooks: WebhookSigner;
  /** The credentials in force. */
  readonly account: AdyenAccount;
  /** Every notification produced, and whether it was delivered. */
  notifications(): readonly NotificationDelivery[];
  /** How long after it is received a bank debit settles on the simulator's bank calendar. */
  readonly debitSettlementMs: number;
  /** Moves the bank's calendar on by `ms`: SEPA and ACH debits falling due settle and their AUTHORISATION notifications go out. */
  advanceBank(ms: number): void;
  /** The payer's bank returns a collected debit: a CHARGEBACK notification with this scheme reason code (MD06, R10). */
  returnDebit(pspReference: string, reasonCode: string): void;
}

export async function startAdyenSimulator(options: AdyenSimulatorOptions = {}): Promise<AdyenSimulator> {
  const statePath = options.statePath ?? null;
  const saved = await readSavedSimulator<SavedAdyenSimulator>(statePath, 'adyen', 'Adyen');
  const account: AdyenAccount = {
    apiKey: options.apiKey ?? saved?.account.apiKey ?? null,
    merchantAccount: options.merchantAccount ?? saved?.account.merchantAccount ?? null,
    hmacKey: options.hmacKey ?? saved?.account.hmacKey ?? randomBytes(32).toString('hex').toUpperCase(),
  };
  const server = new AdyenSimulatorServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    account,
    webhookUrl: options.webhookUrl ?? null,
    notificationDelayMs: options.notificationDelayMs ?? 20,
    webhookRetry: webhookRetryOptions(options.webhookRetry, ADYEN_RETRY_SCHEDULE),
    statePath,
    saved,
    debitSettlementMs: options.debitSettlementMs ?? DEBIT_SETTLEMENT_MS,
  });
  await server.runtime.listen();
  await server.runtime.save();
  return {
    ...simulatorControl(server.runtime, { approval: server.approval, latency: server.latency, dispatcher: server.notifier.dispatcher }),
    account: { ...account },
    ledger: server.ledger,
    webhooks: adyenWebhookSigner({ hmacKey: account.hmacKey, merchantAccount: account.merchantAccount ?? 'SimulatorMerchant' }),
    notifications: () => server.notifier.deliveries(),
    debitSettlementMs: options.debitSettlementMs ?? DEBIT_SETTLEMENT_MS,
    advanceBank: (ms) => server.advanceBank(ms),
    returnDebit: (pspReference, reasonCode) => server.returnDebit(pspReference, reasonCode),
    idle: () => server.notifier.idle(),
    setWebhookUrl: (webhookUrl) => {
      server.notifier.webhookUrl = webhookUrl;
    },
  };
}
