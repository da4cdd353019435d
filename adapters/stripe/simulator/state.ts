import type { CardDetails, CardOutcome } from './test-cards.js';
import type { StripeErrorObject } from './errors.js';

/** Everything the simulated Stripe account holds. Plain records; `resources.ts` renders them as Stripe JSON. */

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

export type CaptureMethod = 'automatic' | 'automatic_async' | 'manual';

export interface BillingDetails {
  name: string | null;
  email: string | null;
  phone: string | null;
}

/**
 * Stripe's SEPA debit payment method: what Stripe shows of the account (never its number), and
 * what the payer's bank will do with a debit, decided by the test account number as Stripe's are.
 */
export type DebitFate =
  | { kind: 'collect' }
  | { kind: 'fail'; code: string; message: string }
  /** Collected, then disputed at once by the payer's bank (Stripe's "disputed" test accounts). */
  | { kind: 'dispute'; reason: string };

export interface BankDebitDetails {
  type: 'sepa_debit';
  country: string;
  /** The IBAN's bank code. */
  bankCode: string | null;
  last4: string;
  fingerprint: string;
  fate: DebitFate;
}

export interface PaymentMethodRecord {
  id: string;
  created: number;
  /** A card payment method's details; absent on a bank debit's. */
  card?: CardDetails;
  bankDebit?: BankDebitDetails;
  billing: BillingDetails;
  /** What authorizing this card does; derived from the number, which is not kept. */
  outcome?: CardOutcome;
  /** Set when the card came in a token (`tok_…`, made from an Apple Pay token): a token pays once. */
  token?: { id: string; used: boolean; tokenizationMethod: 'apple_pay' };
}

export interface ChargeRecord {
  id: string;
  created: number;
  paymentIntentId: string;
  paymentMethodId: string;
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed' | 'pending';
  captured: boolean;
  amountCaptured: number;
  amountRefunded: number;
  failureCode: string | null;
  failureMessage: string | null;
  declineCode: string | null;
  /** A bank debit's mandate (`payment_method_details.<type>.mandate`). */
  mandate?: string | null;
  /** Set when the payer's bank disputed (returned) the debit: Stripe's dispute object. */
  dispute?: { id: string; created: number; reason: string } | null;
  /** The card network's id of an authorized charge (`payment_method_details.card.network_transaction_id`); absent on charges saved before it existed. */
  networkTransactionId?: string | null;
}

export interface PaymentIntentRecord {
  id: string;
  clientSecret: string;
  created: number;
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  automaticPaymentMethods: { enabled: boolean; allow_redirects: 'always' | 'never' } | null;
  /** `allowed_payment_method_types` as given (API 2026-10-28+), or null. */
  allowedPaymentMethodTypes: string[] | null;
  paymentMethodTypes: string[];
  /** automatic_payment_methods was enabled explicitly with redirects allowed: confirming needs a return_url. */
  returnUrlRequired: boolean;
  status: PaymentIntentStatus;
  description: string | null;
  metadata: Record<string, string>;
  /** The Idempotency-Key the PaymentIntent was created under. */
  idempotencyKey: string | null;
  returnUrl: string | null;
  /** `payment_method_options[card][request_three_d_secure]`; absent: `automatic`. */
  requestThreeDSecure?: 'automatic' | 'any' | 'challenge';
  paymentMethodId: string | null;
  /** A bank debit in `processing`: when its bank settles it, on the simulator's bank calendar (ms). */
  debitSettlesAt?: number | null;
  latestChargeId: string | null;
  lastPaymentError: StripeErrorObject | null;
  nextAction: Record<string, unknown> | null;
  amountCapturable: number;
  amountReceived: number;
  canceledAt: number | null;
  cancellationReason: string | null;
  // What really moved, for the ledger.
  authorized: number;
  captured: number;
  refunded: number;
  /** Authorized but given back without capture: cancel of an authorization, or the rest of a partial capture. */
  released: number;
  declines: number;
}

export interface RefundRecord {
  id: string;
  created: number;
  amount: number;
  currency: string;
  paymentIntentId: string;
  chargeId: string;
  reason: string | null;
  metadata: Record<string, string>;
  status: 'succeeded';
  /** The Idempotency-Key the refund was created under, if any. */
  idempotencyKey?: string | null;
}

export type LedgerEventType = 'authorized' | 'captured' | 'released' | 'refunded' | 'declined' | 'canceled' | 'requires_action';

export interface LedgerEvent {
  type: LedgerEventType;
  paymentIntent: string;
  amount: number;
  currency: string;
  at: number;
}

export class SimulatorState {
  readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  readonly paymentMethods = new Map<string, PaymentMethodRecord>();
  readonly charges = new Map<string, ChargeRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly events: LedgerEvent[] = [];

  record(type: LedgerEventType, pi: PaymentIntentRecord, amount: number, at: number): void {
    this.events.push({ type, paymentIntent: pi.id, amount, currency: pi.currency, at });
  }

  /** Everything held, as plain JSON (no card number or CVC is ever held). */
  saved(): SavedStripeState {
    return {
      paymentIntents: [...this.paymentIntents.values()],
      paymentMethods: [...this.paymentMethods.values()],
      charges: [...this.charges.values()],
      refunds: [...this.refunds.values()],
      events: [...this.events],
    };
  }

  restore(saved: SavedStripeState): void {
    this.reset();
    for (const pi of saved.paymentIntents) this.paymentIntents.set(pi.id, pi);
    for (const pm of saved.paymentMethods) this.paymentMethods.set(pm.id, pm);
    for (const charge of saved.charges) this.charges.set(charge.id, charge);
    for (const refund of saved.refunds) this.refunds.set(refund.id, refund);
    this.events.push(...saved.events);
  }

  reset(): void {
    this.paymentIntents.clear();
    this.paymentMethods.clear();
    this.charges.clear();
    this.refunds.clear();
    this.events.length = 0;
  }
}

export interface SavedStripeState {
  paymentIntents: PaymentIntentRecord[];
  paymentMethods: PaymentMethodRecord[];
  charges: ChargeRecord[];
  refunds: RefundRecord[];
  events: LedgerEvent[];
}
