import { randomBytes } from 'node:crypto';
import type { LedgerExport, SimulatorLedger } from '../../testkit/simulator.js';
import { countRequests } from '../../testkit/ledger-sums.js';

const DAY = 86_400_000;

/** GoCardless ids: a two-letter prefix and upper-case letters and digits (PM000123ABC). */
export function gcId(prefix: 'CU' | 'BA' | 'MD' | 'PM' | 'RF' | 'EV' | 'WB'): string {
  return prefix + randomBytes(7).toString('hex').toUpperCase();
}

export interface CustomerRecord {
  id: string;
  created_at: string;
  given_name: string | null;
  family_name: string | null;
  company_name: string | null;
  email: string | null;
  metadata: Record<string, string>;
}

/** Only what GoCardless answers: the account number is never kept, its last two digits are. */
export interface BankAccountRecord {
  id: string;
  created_at: string;
  account_holder_name: string;
  account_number_ending: string;
  country_code: string;
  currency: string;
  bank_name: string;
  enabled: boolean;
  customer: string;
}

export interface MandateRecord {
  id: string;
  created_at: string;
  reference: string;
  scheme: 'sepa_core' | 'ach';
  status: 'pending_submission' | 'submitted' | 'active' | 'failed' | 'cancelled';
  payer_ip_address: string | null;
  metadata: Record<string, string>;
  customer_bank_account: string;
}

export type PaymentStatus = 'pending_submission' | 'submitted' | 'confirmed' | 'paid_out' | 'failed' | 'cancelled' | 'charged_back';

/** How a payment ends when the simulator's clock reaches its settlement: the steering decides it at creation. */
export type PaymentFate = { kind: 'confirm' } | { kind: 'fail'; cause: string; reasonCode: string };

export interface PaymentRecord {
  id: string;
  created_at: string;
  charge_date: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  reference: string | null;
  description: string | null;
  metadata: Record<string, string>;
  amount_refunded: number;
  mandate: string;
  fate: PaymentFate;
  /** Simulator time (ms) of each step still to come. */
  submitAt: number;
  settleAt: number;
  payoutAt: number;
}

export interface RefundRecord {
  id: string;
  created_at: string;
  amount: number;
  currency: string;
  status: 'pending_submission' | 'submitted' | 'paid' | 'failed';
  reference: string | null;
  metadata: Record<string, string>;
  payment: string;
  paidAt: number;
}

export interface GoCardlessEvent {
  id: string;
  created_at: string;
  resource_type: 'payments' | 'mandates' | 'refunds';
  action: string;
  links: Record<string, string>;
  details: { origin: 'gocardless' | 'bank' | 'api'; cause: string; description: string; scheme?: string; reason_code?: string };
  metadata: Record<string, string>;
}

/**
 * GoCardless' timeline for a debit, in the simulator's own clock: submitted to the bank a day after
 * creation, confirmed (or failed) three days later, paid out the day after. Refunds are paid two days
 * after they are made.
 */
export const TIMELINE = { submitAfterMs: DAY, settleAfterMs: 4 * DAY, payoutAfterMs: 5 * DAY, refundPaidAfterMs: 2 * DAY } as const;

export interface SavedGoCardlessState {
  customers: CustomerRecord[];
  bankAccounts: BankAccountRecord[];
  mandates: MandateRecord[];
  payments: PaymentRecord[];
  refunds: RefundRecord[];
  offsetMs: number;
}

export class SimulatorState {
  readonly customers = new Map<string, CustomerRecord>();
  readonly bankAccounts = new Map<string, BankAccountRecord>();
  readonly mandates = new Map<string, MandateRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly requests: { method: string; path: string }[] = [];
  /** Ms added to real time: `advance` moves the bank's calendar on. */
  offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  iso(at = this.now()): string {
    return new Date(at).toISOString();
  }

  /** What a state file keeps: every resource and the bank's calendar (not the request log). */
  saved(): SavedGoCardlessState {
    return {
      customers: [...this.customers.values()],
      bankAccounts: [...this.bankAccounts.values()],
      mandates: [...this.mandates.values()],
      payments: [...this.payments.values()],
      refunds: [...this.refunds.values()],
      offsetMs: this.offsetMs,
    };
  }

  restore(saved: SavedGoCardlessState): void {
    for (const [map, records] of [
      [this.customers, saved.customers],
      [this.bankAccounts, saved.bankAccounts],
      [this.mandates, saved.mandates],
      [this.payments, saved.payments],
      [this.refunds, saved.refunds],
    ] as [Map<string, { id: string }>, { id: string }[]][]) {
      for (const record of records) map.set(record.id, record);
    }
    this.offsetMs = saved.offsetMs;
  }

  reset(): void {
    this.customers.clear();
    this.bankAccounts.clear();
    this.mandates.clear();
    this.payments.clear();
    this.refunds.clear();
    this.requests.length = 0;
  }
}

/** GoCardless holds only debits: an authorized amount is one that has not failed. */
export function createLedger(state: SimulatorState, reset: () => void): SimulatorLedger & { export(): LedgerExport } {
  const held = (p: PaymentRecord) => p.status !== 'failed' && p.status !== 'cancelled';
  const collected = (p: PaymentRecord) => p.status === 'confirmed' || p.status === 'paid_out';
  const matches = (currency: string | undefined) => (p: { currency: string }) => currency === undefined || p.currency === currency.toUpperCase();
  function totals(currency?: string) {
    const payments = [...state.payments.values()].filter(matches(currency));
    const refunds = [...state.refunds.values()].filter(matches(currency)).filter((r) => r.status !== 'failed');
    return {
      authorized: payments.filter(held).reduce((sum, p) => sum + p.amount, 0),
      captured: payments.filter(collected).reduce((sum, p) => sum + p.amount, 0),
      refunded: refunds.reduce((sum, r) => sum + r.amount, 0),
    };
  }
  return {
    charges: () => [...state.payments.values()].filter(held).length,
    requestCount: (prefix) => countRequests(state.requests, prefix),
    totals,
    export: () => ({
      provider: 'gocardless',
      charges: [...state.payments.values()].map((p) => ({
        reference: p.id,
        orderReference: p.metadata['switchyard_attempt'] ?? null,
        paymentId: p.metadata['switchyard_payment'] ?? null,
        amount: p.amount,
        currency: p.currency,
        authorized: held(p) ? p.amount : 0,
        captured: collected(p) ? p.amount : 0,
        refunded: p.amount_refunded,
        released: 0,
        status: p.status,
        createdAt: Date.parse(p.created_at),
      })),
      refunds: [...state.refunds.values()].map((r) => ({ reference: r.id, chargeReference: r.payment, orderReference: r.metadata['switchyard_refund'] ?? null, amount: r.amount, currency: r.currency, status: r.status })),
      totals: totals(),
    }),
    reset: () => {
      state.reset();
      reset();
    },
  };
}
