import type { CardBrand } from '../../../src/domain/card.js';
import { fromAdyenAmount } from '../amounts.js';
import type { LedgerExport, SimulatorFault, SimulatorLedger } from '../../testkit/simulator.js';
import type { FailingModification, ResultCode } from './test-cards.js';
import { countRequests, sumTotals } from '../../testkit/ledger-sums.js';

/** A payment as the simulated Adyen account holds it: no card number, no CVC. */
export interface PaymentRecord {
  pspReference: string;
  merchantAccount: string;
  merchantReference: string;
  /** `merchantOrderReference`, which ties the attempts of one order together (the router sends its payment id). */
  merchantOrderReference?: string | null;
  /** When it was received, ms since the epoch. */
  createdAt?: number;
  amount: number;
  /** Upper case, as Adyen takes it. */
  currency: string;
  network: CardBrand;
  issuerCountry: string;
  /** What `additionalData` reports about the card: its BIN and last four, and, for a card the sandbox knows, its issuing country and funding source. */
  card?: { bin: string; summary: string; issuingCountry: string | null; fundingSource: 'CREDIT' | 'DEBIT' | 'PREPAID' | null };
  resultCode: ResultCode | 'RedirectShopper';
  refusal: { code: string; text: string } | null;
  manualCapture: boolean;
  failing: FailingModification | null;
  /** Where the shopper's browser goes back after 3-D Secure (the request's returnUrl). */
  returnUrl?: string;
  /** Handed to the shopper's browser on its way back from 3-D Secure; `/payments/details` takes it. */
  redirectResult?: string | null;
  /** A bank debit: its type, the account's last four digits, when the bank settles it (null once settled), how it fails, whether it was returned. */
  debit?: { type: 'sepadirectdebit' | 'ach'; last4: string; settlesAt: number | null; failure: { code: string; text: string } | null; returned: boolean };
  /** The network transaction id an Authorised answer reports (`additionalData.networkTxReference`). */
  networkTxReference?: string;
  // What moved, in minor units.
  authorized: number;
  captured: number;
  refunded: number;
  /** Authorized and let go without capture. */
  released: number;
}

export type ModificationKind = 'capture' | 'refund' | 'cancel' | 'reversal';

export interface ModificationRecord {
  pspReference: string;
  paymentPspReference: string;
  kind: ModificationKind;
  /** Null for cancels and reversals, which name no amount. */
  amount: number | null;
  currency: string;
  reference: string | null;
  status: 'received' | 'succeeded' | 'failed';
  /** Why it failed. */
  reason: string | null;
}

export interface LoggedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  replayed: boolean;
  /** Null while unanswered, or never answered (hang). */
  status: number | null;
  fault: SimulatorFault['kind'] | null;
}

export class SimulatorState {
  readonly payments = new Map<string, PaymentRecord>();
  readonly modifications = new Map<string, ModificationRecord>();
  readonly requests: LoggedRequest[] = [];

  clear(): void {
    this.payments.clear();
    this.modifications.clear();
    this.requests.length = 0;
  }

  /** Payments and modifications as plain JSON (no card number or CVC is ever held). */
  saved(): SavedAdyenState {
    return { payments: [...this.payments.values()], modifications: [...this.modifications.values()] };
  }

  restore(saved: SavedAdyenState): void {
    this.clear();
    for (const payment of saved.payments) this.payments.set(payment.pspReference, payment);
    for (const modification of saved.modifications) this.modifications.set(modification.pspReference, modification);
  }
}

export interface SavedAdyenState {
  payments: PaymentRecord[];
  modifications: ModificationRecord[];
}

export interface AdyenLedger extends SimulatorLedger {
  payment(pspReference: string): Readonly<PaymentRecord> | undefined;
  payments(): readonly Readonly<PaymentRecord>[];
  modifications(): readonly Readonly<ModificationRecord>[];
  /** Every API request received, without bodies. */
  requests(): readonly Readonly<LoggedRequest>[];
}

/**
 * An amount in Adyen's units (what the simulator holds, as Adyen would) in canonical minor units,
 * for `totals` and `export`. Adyen's rules for values its table cannot hold (CLP with cents) are not
 * documented, so the simulator takes any value; the adapter never sends one, and a test that did
 * finds out here.
 */
function canonical(value: number, currency: string): number {
  const amount = fromAdyenAmount(value, currency);
  if (amount === null) throw new Error(`The Adyen simulator holds ${value} ${currency}, which is no whole number of canonical minor units.`);
  return amount;
}

export function createLedger(state: SimulatorState, onReset: () => void): AdyenLedger {
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
      return {
        provider: 'adyen',
        charges: [...state.payments.values()].map((p) => ({
          reference: p.pspReference,
          orderReference: p.merchantReference,
          paymentId: p.merchantOrderReference ?? null,
          amount: canonical(p.amount, p.currency),
          currency: p.currency,
          authorized: canonical(p.authorized, p.currency),
          captured: canonical(p.captured, p.currency),
          refunded: canonical(p.refunded, p.currency),
          released: canonical(p.released, p.currency),
          status: p.resultCode,
          createdAt: p.createdAt ?? null,
        })),
        // Refunds asked for through /refunds; reversals (unused by the router) are not listed.
        refunds: [...state.modifications.values()]
          .filter((m) => m.kind === 'refund')
          .map((m) => ({
            reference: m.pspReference,
            chargeReference: m.paymentPspReference,
            orderReference: m.reference,
            amount: canonical(m.amount ?? 0, m.currency),
            currency: m.currency,
            status: m.status,
          })),
        totals: this.totals(),
      };
    },
    payment: (pspReference) => copy(state.payments.get(pspReference)),
    payments: () => [...state.payments.values()].map((p) => ({ ...p })),
    modifications: () => [...state.modifications.values()].map((m) => ({ ...m })),
    requests: () => state.requests.map((r) => ({ ...r })),
  };
}

function copy<T extends object>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : { ...value };
}
