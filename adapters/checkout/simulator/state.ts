import { fromCheckoutAmount } from '../amounts.js';
import type { CardBrand } from '../../../src/domain/card.js';
import type { CardAnswer } from './test-cards.js';
import type { LedgerExport, SimulatorFault, SimulatorLedger } from '../../testkit/simulator.js';
import { countRequests, sumTotals } from '../../testkit/ledger-sums.js';

export type ActionType = 'Authorization' | 'Capture' | 'Void' | 'Refund';

/** One action on a payment, as GET /payments/{id}/actions lists it. Amounts in Checkout.com's units. */
export interface ActionRecord {
  id: string;
  type: ActionType;
  amount: number;
  approved: boolean;
  responseCode: string;
  responseSummary: string;
  /** The reference the action was requested with (the merchant's; we send our idempotency key). */
  reference: string | null;
  processedOn: string;
}

/** What the simulated account keeps of a card: never the number or the CVV. */
export interface CardRecord {
  bin: string;
  last4: string;
  scheme: string;
  expiryMonth: number;
  expiryYear: number;
  /** For the cards the sandbox knows; null for others (no BIN data). */
  cardType: 'CREDIT' | 'DEBIT' | 'PREPAID' | null;
  issuerCountry: string | null;
}

/** Checkout.com's `payment_type` values. */
export const PAYMENT_TYPES = ['Regular', 'Recurring', 'MOTO', 'Installment', 'Unscheduled', 'PayLater'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

export type PaymentStatus = 'Pending' | 'Authorized' | 'Captured' | 'Partially Refunded' | 'Refunded' | 'Voided' | 'Declined';

/** A payment as the simulated Checkout.com account holds it. Amounts in Checkout.com's units. */
export interface PaymentRecord {
  id: string;
  /** The 3-D Secure session (`sid_…`) a redirect came back with; GET /payments/{sid} answers this payment. */
  sessionId: string | null;
  reference: string | null;
  amount: number;
  currency: string;
  capture: boolean;
  paymentType: PaymentType;
  /** A merchant-initiated payment on a stored card (`merchant_initiated: true`), citing `previousPaymentId`. */
  merchantInitiated: boolean;
  previousPaymentId: string | null;
  /** `source.stored`: the merchant says the card details come from its own card-on-file store. */
  storedCard: boolean;
  /** The card network's transaction id, once the authorization is approved. */
  schemeId: string | null;
  status: PaymentStatus;
  responseCode: string;
  responseSummary: string;
  card: CardRecord;
  threeDs: boolean;
  successUrl: string | null;
  failureUrl: string | null;
  description: string | null;
  email: string | null;
  metadata: Record<string, string>;
  requestedOn: string;
  authorized: number;
  captured: number;
  refunded: number;
  /** Authorized and let go without capture (a void, or the rest of a final partial capture). */
  released: number;
  /** Oldest first. */
  actions: ActionRecord[];
}

/**
 * A card token (`tok_…`) POST /tokens made of a wallet token: what the gateway found inside, without
 * the number. It pays once, within 15 minutes.
 */
export interface TokenRecord {
  id: string;
  type: 'applepay' | 'googlepay';
  card: CardRecord;
  answer: CardAnswer;
  network: CardBrand;
  expiresOn: string;
  used: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  replayed: boolean;
  status: number | null;
  fault: SimulatorFault['kind'] | null;
}

type StoredCredentialFields = 'paymentType' | 'merchantInitiated' | 'previousPaymentId' | 'storedCard' | 'schemeId';

export interface SavedCheckoutState {
  /** State saved before stored credentials were modelled lacks their fields. */
  payments: (Omit<PaymentRecord, StoredCredentialFields> & Partial<Pick<PaymentRecord, StoredCredentialFields>>)[];
}

export class SimulatorState {
  readonly payments = new Map<string, PaymentRecord>();
  readonly sessions = new Map<string, string>();
  /** Not saved: a token unused when the simulator stops is gone, as it would have expired. */
  readonly tokens = new Map<string, TokenRecord>();
  readonly requests: LoggedRequest[] = [];

  add(payment: PaymentRecord): void {
    this.payments.set(payment.id, payment);
    if (payment.sessionId) this.sessions.set(payment.sessionId, payment.id);
  }

  /** By payment id or 3-D Secure session id. */
  find(id: string): PaymentRecord | undefined {
    return this.payments.get(this.sessions.get(id) ?? id);
  }

  clear(): void {
    this.payments.clear();
    this.sessions.clear();
    this.tokens.clear();
    this.requests.length = 0;
  }

  saved(): SavedCheckoutState {
    return { payments: [...this.payments.values()] };
  }

  restore(saved: SavedCheckoutState): void {
    this.clear();
    // Saved before stored credentials were modelled: customer-initiated payments without a scheme id.
    for (const payment of saved.payments) this.add({ paymentType: 'Regular', merchantInitiated: false, previousPaymentId: null, storedCard: false, schemeId: null, ...payment });
  }
}

export interface CheckoutLedger extends SimulatorLedger {
  payment(id: string): Readonly<PaymentRecord> | undefined;
  payments(): readonly Readonly<PaymentRecord>[];
  requests(): readonly Readonly<LoggedRequest>[];
}

/** An amount the simulator holds (Checkout.com's units) in canonical minor units; the adapter never sends one they cannot hold. */
function canonical(value: number, currency: string): number {
  const amount = fromCheckoutAmount(value, currency);
  if (amount === null) throw new Error(`The Checkout.com simulator holds ${value} ${currency}, which is no whole number of canonical minor units.`);
  return amount;
}

export function createLedger(state: SimulatorState, onReset: () => void): CheckoutLedger {
  return {
    charges: () => [...state.payments.values()].filter((p) => p.authorized > 0).length,
    requestCount: (pathPrefix) => countRequests(state.requests, pathPrefix),
    totals: (currency) =>
      sumTotals(
        state.payments.values(),
        currency,
        (p) => p.currency,
        (p) => ({ authorized: canonical(p.authorized, p.currency), captured: canonical(p.captured, p.currency), refunded: canonical(p.refunded, p.currency) }),
      ),
    reset() {
      state.clear();
      onReset();
    },
    export(): LedgerExport {
      const payments = [...state.payments.values()];
      return {
        provider: 'checkout',
        charges: payments.map((p) => ({
          reference: p.id,
          orderReference: p.reference,
          paymentId: p.metadata['switchyard_payment'] ?? null,
          amount: canonical(p.amount, p.currency),
          currency: p.currency,
          authorized: canonical(p.authorized, p.currency),
          captured: canonical(p.captured, p.currency),
          refunded: canonical(p.refunded, p.currency),
          released: canonical(p.released, p.currency),
          status: p.status,
          createdAt: Date.parse(p.requestedOn),
        })),
        refunds: payments.flatMap((p) =>
          p.actions
            .filter((a) => a.type === 'Refund')
            .map((a) => ({ reference: a.id, chargeReference: p.id, orderReference: a.reference, amount: canonical(a.amount, p.currency), currency: p.currency, status: a.approved ? 'Refunded' : 'Declined' })),
        ),
        totals: this.totals(),
      };
    },
    payment: (id) => {
      const p = state.payments.get(id);
      return p && { ...p, actions: p.actions.map((a) => ({ ...a })) };
    },
    payments: () => [...state.payments.values()].map((p) => ({ ...p, actions: p.actions.map((a) => ({ ...a })) })),
    requests: () => state.requests.map((r) => ({ ...r })),
  };
}
