import type { LedgerExport, SimulatorFault, SimulatorLedger } from '../../testkit/simulator.js';
import { fromPayPalValue } from '../amounts.js';
import { countRequests, sumTotals } from '../../testkit/ledger-sums.js';

export type OrderStatus = 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';

/** What PayPal tells the merchant of the payer after the approval. Never a credential. */
export interface PayerRecord {
  payerId: string;
  email: string;
  givenName: string;
  surname: string;
  country: string;
}

export interface AuthorizationRecord {
  id: string;
  status: 'CREATED' | 'CAPTURED' | 'PARTIALLY_CAPTURED' | 'VOIDED' | 'DENIED';
  value: string;
  createTime: string;
  updateTime: string;
}

export interface CaptureRecord {
  id: string;
  status: 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';
  value: string;
  invoiceId: string | null;
  /** Null for the capture of the order itself (intent CAPTURE). */
  authorizationId: string | null;
  finalCapture: boolean;
  createTime: string;
  updateTime: string;
}

export interface RefundRecord {
  id: string;
  status: 'COMPLETED';
  value: string;
  captureId: string;
  invoiceId: string | null;
  customId: string | null;
  createTime: string;
}

/** An order as the simulated PayPal account holds it. Amounts as PayPal's decimal strings. */
export interface OrderRecord {
  id: string;
  intent: 'CAPTURE' | 'AUTHORIZE';
  status: OrderStatus;
  currency: string;
  value: string;
  invoiceId: string | null;
  customId: string | null;
  description: string | null;
  returnUrl: string | null;
  cancelUrl: string | null;
  /** `payment_source.paypal.email_address`: the login the approval page prefills (and the sandbox payer it picks). */
  emailHint: string | null;
  payer: PayerRecord | null;
  createTime: string;
  updateTime: string;
  authorizations: AuthorizationRecord[];
  captures: CaptureRecord[];
  refunds: RefundRecord[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  requestId: string | null;
  replayed: boolean;
  status: number | null;
  fault: SimulatorFault['kind'] | null;
}

export interface SavedPayPalState {
  orders: OrderRecord[];
}

export class SimulatorState {
  readonly orders = new Map<string, OrderRecord>();
  readonly requests: LoggedRequest[] = [];

  authorization(id: string): { order: OrderRecord; authorization: AuthorizationRecord } | undefined {
    for (const order of this.orders.values()) {
      const authorization = order.authorizations.find((a) => a.id === id);
      if (authorization) return { order, authorization };
    }
    return undefined;
  }

  capture(id: string): { order: OrderRecord; capture: CaptureRecord } | undefined {
    for (const order of this.orders.values()) {
      const capture = order.captures.find((c) => c.id === id);
      if (capture) return { order, capture };
    }
    return undefined;
  }

  refund(id: string): { order: OrderRecord; refund: RefundRecord } | undefined {
    for (const order of this.orders.values()) {
      const refund = order.refunds.find((r) => r.id === id);
      if (refund) return { order, refund };
    }
    return undefined;
  }

  clear(): void {
    this.orders.clear();
    this.requests.length = 0;
  }

  saved(): SavedPayPalState {
    return { orders: [...this.orders.values()] };
  }

  restore(saved: SavedPayPalState): void {
    this.clear();
    for (const order of saved.orders) this.orders.set(order.id, order);
  }
}

export interface PayPalLedger extends SimulatorLedger {
  order(id: string): Readonly<OrderRecord> | undefined;
  requests(): readonly Readonly<LoggedRequest>[];
}

function canonical(value: string, currency: string): number {
  const amount = fromPayPalValue(value, currency);
  if (amount === null) throw new Error(`The PayPal simulator holds ${value} ${currency}, which canonical units cannot hold.`);
  return amount;
}

/** What the order moved, in canonical minor units. */
function sums(order: OrderRecord): { authorized: number; captured: number; refunded: number; released: number } {
  const c = (value: string) => canonical(value, order.currency);
  const captured = order.captures.filter((x) => x.status !== 'DECLINED').reduce((s, x) => s + c(x.value), 0);
  const authorizations = order.authorizations.filter((a) => a.status !== 'DENIED');
  const authorized = authorizations.length > 0 ? c(order.value) : captured > 0 ? c(order.value) : 0;
  const refunded = order.refunds.reduce((s, r) => s + c(r.value), 0);
  const released = authorizations.some((a) => a.status === 'VOIDED' || a.status === 'CAPTURED' || a.status === 'PARTIALLY_CAPTURED') ? authorized - captured : 0;
  return { authorized, captured, refunded, released };
}

export function createLedger(state: SimulatorState, onReset: () => void): PayPalLedger {
  return {
    charges: () => [...state.orders.values()].filter((o) => sums(o).authorized > 0).length,
    requestCount: (pathPrefix) => countRequests(state.requests, pathPrefix),
    totals: (currency) => sumTotals(state.orders.values(), currency, (o) => o.currency, sums),
    reset() {
      state.clear();
      onReset();
    },
    export(): LedgerExport {
      const orders = [...state.orders.values()];
      return {
        provider: 'paypal',
        charges: orders.map((o) => ({
          reference: o.id,
          orderReference: o.invoiceId,
          paymentId: o.customId,
          amount: canonical(o.value, o.currency),
          currency: o.currency,
          ...sums(o),
          status: o.status,
          createdAt: Date.parse(o.createTime),
        })),
        refunds: orders.flatMap((o) =>
          o.refunds.map((r) => ({ reference: r.id, chargeReference: o.id, orderReference: r.invoiceId, amount: canonical(r.value, o.currency), currency: o.currency, status: r.status })),
        ),
        totals: this.totals(),
      };
    },
    order: (id) => {
      const o = state.orders.get(id);
      return o && structuredClone(o);
    },
    requests: () => state.requests.map((r) => ({ ...r })),
  };
}
