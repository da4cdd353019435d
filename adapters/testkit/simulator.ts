import type { WebhookEventType } from '../../src/domain/webhook.js';
import type { WebhookRequest } from './contract.js';

/**
 * How tests and benchmarks steer every provider simulator. Faults start and stop mid-run;
 * approval rates and latency are seeded so a run can be repeated exactly.
 */
export type SimulatorFault =
  /** The port stops accepting: clients see ECONNREFUSED; nothing reaches the provider. */
  | { kind: 'refuse_connections' }
  /** Take the request, do nothing, never answer. */
  | { kind: 'hang' }
  /** Answer this status in the provider's error shape without doing the operation. */
  | { kind: 'http_error'; status: 500 | 502 | 503 | 429 }
  /** Do the operation, then never answer (the response is lost). */
  | { kind: 'charge_then_hang' }
  /** Do the operation, then answer 500. */
  | { kind: 'charge_then_500' }
  /** Do the operation, then answer 200 with a truncated body the SDK cannot read. */
  | { kind: 'malformed_response' };

export interface FaultOptions {
  /** Apply to this many matching requests, then clear itself. Default: until cleared. */
  times?: number;
  method?: string;
  pathPrefix?: string;
}

/**
 * Of the authorizations a segment's cards would otherwise approve, approve this share and
 * soft-decline the rest (the provider's generic "do not honor"). Rules match on any of their
 * fields given; the first matching rule wins; no match means 1.0.
 */
export interface ApprovalRule {
  rate: number;
  network?: string;
  currency?: string;
  country?: string;
}

export type LatencyDistribution =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /** Log-normal with this median and 99th percentile. */
  | { kind: 'lognormal'; medianMs: number; p99Ms: number };

export interface SimulatorLedger {
  /** Successful authorizations (approved, whether captured or not). */
  charges(): number;
  /** API requests received, every one (replays, faulted, rejected), optionally under a path prefix. */
  requestCount(pathPrefix?: string): number;
  /** Sums in canonical ISO 4217 minor units (converted from the provider's own), optionally for one upper- or lower-case currency. */
  totals(currency?: string): { authorized: number; captured: number; refunded: number };
  /** Every charge and refund the provider holds, in one shape for all providers (for reconciliation). */
  export(): LedgerExport;
  reset(): void;
}

/**
 * One authorization attempt the provider holds (approved or not), as a chaos benchmark reconciles
 * it against the router. Amounts in canonical ISO 4217 minor units of `currency` (upper case),
 * converted from the provider's own units (Stripe holds 5 ISK as 500, the export says 5).
 */
export interface LedgerCharge {
  /** The provider's own id: a PaymentIntent, a pspReference, a transaction id. */
  reference: string;
  /** Our reference sent with it: the idempotency key, merchant reference or order id. */
  orderReference: string | null;
  /** Our payment id, where the provider keeps one (Stripe metadata `switchyard_payment`). */
  paymentId: string | null;
  amount: number;
  currency: string;
  authorized: number;
  captured: number;
  refunded: number;
  /** Authorized and let go without capture (a void, or the rest of a partial capture). */
  released: number;
  /** The provider's own status or result code. */
  status: string;
  /** When it was created, in ms since the epoch (null where the provider keeps no time). */
  createdAt: number | null;
}

export interface LedgerRefundEntry {
  reference: string;
  /** The charge it refunds (a `LedgerCharge.reference`). */
  chargeReference: string;
  orderReference: string | null;
  amount: number;
  currency: string;
  /** The provider's own status (`succeeded`, `received`, `settled`, ...). */
  status: string;
}

export interface LedgerExport {
  provider: string;
  charges: LedgerCharge[];
  refunds: LedgerRefundEntry[];
  totals: { authorized: number; captured: number; refunded: number };
}

/**
 * What can happen to an outbound notification, seeded so a run repeats:
 * - `drop`: this delivery attempt is lost (the provider sees a failure and retries on its
 *   schedule); `forever: true` loses the event for good, as after the provider's last retry.
 * - `duplicate`: the attempt is delivered twice.
 * - `delay`: the attempt is held `ms` (real milliseconds, not scaled) before it is sent.
 * - `reorder`: the attempt is held until `after` (default 1) later events were sent, or
 *   `maxHoldMs` (default 1000) passed, so it arrives after them.
 */
export type WebhookFault =
  | { kind: 'drop'; forever?: boolean }
  | { kind: 'duplicate' }
  | { kind: 'delay'; ms: number }
  | { kind: 'reorder'; after?: number; maxHoldMs?: number };

export interface WebhookFaultOptions {
  /** Apply to this many delivery attempts, then clear itself. Default: until cleared. */
  times?: number;
  /** The probability (0..1) that a matching attempt is hit. Default 1. */
  rate?: number;
  /** Seeds the `rate` draws. Default 1. */
  seed?: number;
  /** Only events of these provider types (Stripe event type, Adyen eventCode, Braintree kind). */
  types?: readonly string[];
  /** Only events about this provider reference (the payment's PaymentIntent, pspReference or transaction). */
  reference?: string;
}

export interface WebhookAttempt {
  /** When it was sent (or dropped), ms since the epoch. */
  at: number;
  /** The receiver's HTTP status; null when it could not be reached, timed out or the attempt was dropped. */
  status: number | null;
  error?: string;
  /** The webhook fault applied to this attempt, if any. */
  fault?: WebhookFault['kind'];
}

export interface WebhookDelivery {
  id: string;
  /** Stripe event type, Adyen eventCode, Braintree kind. */
  type: string;
  /** The payment (provider reference) the event is about. */
  reference: string | null;
  /**
   * `pending`: waiting for its first attempt or a retry; `delivered`: a 2xx came back; `failed`:
   * the provider's last retry failed; `dropped`: lost by a `drop` fault with `forever`;
   * `no_endpoint`: no webhook URL was set when it happened, so it was never sent.
   */
  state: 'pending' | 'delivered' | 'failed' | 'dropped' | 'no_endpoint';
  createdAt: number;
  attempts: WebhookAttempt[];
  /** When the next attempt is due (ms since the epoch), while pending and waiting for a retry. */
  nextAttemptAt: number | null;
}

export interface SimulatorControl {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly ledger: SimulatorLedger;
  setFault(fault: SimulatorFault, options?: FaultOptions): Promise<void>;
  clearFault(): Promise<void>;
  setApprovalRates(rules: readonly ApprovalRule[], seed?: number): void;
  setLatency(distribution: LatencyDistribution | null, seed?: number): void;
  /** Where notifications go from now on (retries included); null: nowhere (new events are logged as `no_endpoint`). */
  setWebhookUrl(url: string | null): void;
  /** Adds a webhook fault; several can be in force, and the first (in the order set) that hits an attempt applies. */
  setWebhookFault(fault: WebhookFault, options?: WebhookFaultOptions): void;
  clearWebhookFaults(): void;
  /** Multiplies the provider's retry schedule (0.001: a day passes in 86 s). Default 1. */
  setWebhookRetryScale(scale: number): void;
  /** Every notification this process produced (the newest 10,000 finished ones), with its attempts. */
  webhookDeliveries(): readonly WebhookDelivery[];
  /** Resolves once nothing waits to be decided, sent or retried. */
  idle(): Promise<void>;
  /** Writes the state file now, when the simulator has one. */
  save(): Promise<void>;
  close(): Promise<void>;
}

/** Makes webhook requests exactly as the provider would send them, for verification tests. */
export interface WebhookSigner {
  /** Whether the scheme signs a timestamp (so a stale request can be refused). */
  readonly signsTimestamp: boolean;
  /** False where the provider's notifications name no amount (GoCardless sends ids and causes only). */
  readonly carriesAmounts?: false;
  /** `amount` in canonical minor units: the signer writes it in the provider's units. */
  sign(
    event: { type: WebhookEventType; reference: string; amount: number; currency: string; eventId?: string },
    /** `wrongSecret`: sign with a well-formed secret that is not the account's. */
    options?: { wrongSecret?: boolean; timestamp?: Date },
  ): Promise<WebhookRequest>;
  /** The same request with the amount it reports changed and its signature kept (a forgery). */
  tamper(request: WebhookRequest): WebhookRequest;
  /** The same request with its signature removed. */
  unsigned(request: WebhookRequest): WebhookRequest;
}
