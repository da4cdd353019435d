import { fromStripeAmount } from '../amounts.js';
import type { LedgerExport } from '../../testkit/simulator.js';
import type { StripeFault } from './faults.js';
import type { LedgerEvent, PaymentIntentRecord, SimulatorState } from './state.js';
import { countRequests } from '../../testkit/ledger-sums.js';

/** What the simulated provider really did, for tests to count. Amounts are in Stripe's units (its `amount` fields), except in `totals` and `export`. */

export interface LedgerPaymentIntent {
  id: string;
  status: string;
  amount: number;
  /** Lower case, as Stripe returns it. */
  currency: string;
  captureMethod: string;
  /** Amount authorized (0 until the card was approved). */
  authorized: number;
  captured: number;
  refunded: number;
  /** Authorized but let go without capture (cancel, or the rest of a partial capture). */
  released: number;
  /** Declined or failed authentication attempts. */
  declines: number;
  metadata: Record<string, string>;
  /** The Idempotency-Key the PaymentIntent was created under (the SDK generates one if none is given). */
  idempotencyKey: string | null;
}

export interface LedgerTotals {
  authorized: number;
  captured: number;
  refunded: number;
}

export interface LedgerRefund {
  id: string;
  paymentIntent: string;
  charge: string;
  amount: number;
  currency: string;
}

export interface LedgerRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  idempotencyKey: string | null;
  /** Answered from the idempotency store without running again. */
  replayed: boolean;
  /** HTTP status sent; null if never answered (hang) or not yet. */
  status: number | null;
  /** The fault applied to this request, if any. */
  fault: StripeFault['kind'] | null;
  at: number;
}

export interface StripeLedger {
  /** Successful authorizations: PaymentIntents that reached requires_capture or succeeded. */
  charges(): number;
  /** Sums in canonical ISO 4217 minor units (ISK 5, where Stripe holds 500), so they compare with the router's amounts. */
  totals(currency?: string): LedgerTotals;
  /** HTTP requests received (every one: replays, rejected and faulted ones too), optionally under a path prefix. */
  requestCount(pathPrefix?: string): number;
  paymentIntent(id: string): LedgerPaymentIntent | undefined;
  paymentIntents(): LedgerPaymentIntent[];
  refunds(): LedgerRefund[];
  /** Money movements and declines in order. */
  events(): readonly LedgerEvent[];
  /** Every PaymentIntent and refund in the shared shape (canonical ISO 4217 minor units, currency upper case). */
  export(): LedgerExport;
  /** Every request received, without bodies. */
  requests(): readonly LedgerRequest[];
  /** Forget everything: objects, ledger, request log and idempotency keys. Faults stay as set. */
  reset(): void;
}

function snapshot(pi: PaymentIntentRecord): LedgerPaymentIntent {
  return {
    id: pi.id,
    status: pi.status,
    amount: pi.amount,
    currency: pi.currency,
    captureMethod: pi.captureMethod,
    authorized: pi.authorized,
    captured: pi.captured,
    refunded: pi.refunded,
    released: pi.released,
    declines: pi.declines,
    metadata: { ...pi.metadata },
    idempotencyKey: pi.idempotencyKey,
  };
}

/**
 * A Stripe amount in canonical minor units. Every amount the simulator holds converts: it refuses
 * ISK and UGX amounts that are not whole units, as Stripe does, and every other currency gains
 * decimals or keeps them.
 */
function canonical(value: number, currency: string): number {
  const amount = fromStripeAmount(value, currency);
  if (amount === null) throw new Error(`The Stripe simulator holds ${value} ${currency}, which is no whole number of minor units.`);
  return amount;
}

export class Ledger implements StripeLedger {
  private readonly log: LedgerRequest[] = [];

  constructor(
    private readonly state: SimulatorState,
    private readonly onReset: () => void,
  ) {}

  /** Called by the server for each request; the returned entry is updated as the request proceeds. */
  recordRequest(method: string, path: string, idempotencyKey: string | null, at: number): LedgerRequest {
    const entry: LedgerRequest = { method, path, idempotencyKey, replayed: false, status: null, fault: null, at };
    this.log.push(entry);
    return entry;
  }

  charges(): number {
    let count = 0;
    for (const pi of this.state.paymentIntents.values()) if (pi.authorized > 0) count += 1;
    return count;
  }

  totals(currency?: string): LedgerTotals {
    const wanted = currency?.toLowerCase();
    const totals: LedgerTotals = { authorized: 0, captured: 0, refunded: 0 };
    for (const pi of this.state.paymentIntents.values()) {
      if (wanted !== undefined && pi.currency !== wanted) continue;
      totals.authorized += canonical(pi.authorized, pi.currency);
      totals.captured += canonical(pi.captured, pi.currency);
      totals.refunded += canonical(pi.refunded, pi.currency);
    }
    return totals;
  }

  requestCount(pathPrefix?: string): number {
    return countRequests(this.log, pathPrefix);
  }

  paymentIntent(id: string): LedgerPaymentIntent | undefined {
    const pi = this.state.paymentIntents.get(id);
    return pi ? snapshot(pi) : undefined;
  }

  paymentIntents(): LedgerPaymentIntent[] {
    return [...this.state.paymentIntents.values()].map(snapshot);
  }

  refunds(): LedgerRefund[] {
    return [...this.state.refunds.values()].map((refund) => ({
      id: refund.id,
      paymentIntent: refund.paymentIntentId,
      charge: refund.chargeId,
      amount: refund.amount,
      currency: refund.currency,
    }));
  }

  events(): readonly LedgerEvent[] {
    return [...this.state.events];
  }

  export(): LedgerExport {
    return {
      provider: 'stripe',
      charges: [...this.state.paymentIntents.values()].map((pi) => ({
        reference: pi.id,
        orderReference: pi.idempotencyKey,
        paymentId: pi.metadata['switchyard_payment'] ?? null,
        amount: canonical(pi.amount, pi.currency),
        currency: pi.currency.toUpperCase(),
        authorized: canonical(pi.authorized, pi.currency),
        captured: canonical(pi.captured, pi.currency),
        refunded: canonical(pi.refunded, pi.currency),
        released: canonical(pi.released, pi.currency),
        status: pi.status,
        createdAt: pi.created * 1000,
      })),
      refunds: [...this.state.refunds.values()].map((refund) => ({
        reference: refund.id,
        chargeReference: refund.paymentIntentId,
        orderReference: refund.idempotencyKey ?? null,
        amount: canonical(refund.amount, refund.currency),
        currency: refund.currency.toUpperCase(),
        status: refund.status,
      })),
      totals: this.totals(),
    };
  }

  requests(): readonly LedgerRequest[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  reset(): void {
    this.log.length = 0;
    this.state.reset();
    this.onReset();
  }
}
