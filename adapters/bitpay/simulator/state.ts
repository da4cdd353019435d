import type { LedgerExport, SimulatorLedger } from '../../testkit/simulator.js';
import { fromBitPayPrice } from '../amounts.js';
import { countRequests, sumTotals } from '../../testkit/ledger-sums.js';

export type InvoiceStatus = 'new' | 'paid' | 'confirmed' | 'complete' | 'expired' | 'invalid';

export interface RefundRecord {
  id: string;
  guid: string;
  invoice: string;
  amount: number;
  currency: string;
  /** `created` until the payer gives a refund address (`settleRefund`), then `success`. */
  status: 'created' | 'success' | 'canceled';
  requestDate: string;
}

/** An invoice as the simulated BitPay account holds it: `price` in fiat major units, coin amounts in the coin's smallest unit. */
export interface InvoiceRecord {
  id: string;
  guid: string;
  orderId: string | null;
  posData: string | null;
  itemDesc: string | null;
  price: number;
  currency: string;
  redirectURL: string | null;
  closeURL: string | null;
  notificationURL: string | null;
  paymentCurrencies: string[];
  status: InvoiceStatus;
  exceptionStatus: false | 'paidPartial' | 'paidOver';
  invoiceTime: number;
  expirationTime: number;
  transactionCurrency: string | null;
  amountPaid: number;
  paymentSubtotals: Record<string, number>;
  paymentTotals: Record<string, number>;
  exchangeRates: Record<string, Record<string, number>>;
  refunds: RefundRecord[];
}

export interface SavedBitPayState {
  invoices: InvoiceRecord[];
}

export class SimulatorState {
  readonly invoices = new Map<string, InvoiceRecord>();
  readonly requests: { method: string; path: string; status: number | null }[] = [];

  byGuid(guid: string): InvoiceRecord | undefined {
    for (const invoice of this.invoices.values()) if (invoice.guid === guid) return invoice;
    return undefined;
  }

  refund(match: (r: RefundRecord) => boolean): RefundRecord | undefined {
    for (const invoice of this.invoices.values()) {
      const found = invoice.refunds.find(match);
      if (found) return found;
    }
    return undefined;
  }

  clear(): void {
    this.invoices.clear();
    this.requests.length = 0;
  }

  saved(): SavedBitPayState {
    return { invoices: [...this.invoices.values()] };
  }

  restore(saved: SavedBitPayState): void {
    this.clear();
    for (const invoice of saved.invoices) this.invoices.set(invoice.id, invoice);
  }
}

export interface BitPayLedger extends SimulatorLedger {
  invoice(id: string): Readonly<InvoiceRecord> | undefined;
}

function minor(price: number, currency: string): number {
  const value = fromBitPayPrice(price, currency);
  if (value === null) throw new Error(`The BitPay simulator holds ${price} ${currency}, which canonical units cannot hold.`);
  return value;
}

/** A confirmed invoice is a charge: its price was paid and kept (an overpayment above it goes back to the payer). */
const charged = (invoice: InvoiceRecord) => invoice.status === 'confirmed' || invoice.status === 'complete';

function sums(invoice: InvoiceRecord): { authorized: number; captured: number; refunded: number; released: number } {
  const amount = charged(invoice) ? minor(invoice.price, invoice.currency) : 0;
  const refunded = invoice.refunds.filter((r) => r.status !== 'canceled').reduce((s, r) => s + minor(r.amount, r.currency), 0);
  return { authorized: amount, captured: amount, refunded, released: 0 };
}

export function createLedger(state: SimulatorState, onReset: () => void): BitPayLedger {
  return {
    charges: () => [...state.invoices.values()].filter(charged).length,
    requestCount: (pathPrefix) => countRequests(state.requests, pathPrefix),
    totals: (currency) => sumTotals(state.invoices.values(), currency, (i) => i.currency, sums),
    reset() {
      state.clear();
      onReset();
    },
    export(): LedgerExport {
      const invoices = [...state.invoices.values()];
      return {
        provider: 'bitpay',
        charges: invoices.map((i) => ({
          reference: i.id,
          orderReference: i.orderId,
          paymentId: paymentIdOf(i.posData),
          amount: minor(i.price, i.currency),
          currency: i.currency,
          ...sums(i),
          status: i.status,
          createdAt: i.invoiceTime,
        })),
        refunds: invoices.flatMap((i) => i.refunds.map((r) => ({ reference: r.id, chargeReference: i.id, orderReference: r.guid, amount: minor(r.amount, r.currency), currency: r.currency, status: r.status }))),
        totals: this.totals(),
      };
    },
    invoice: (id) => {
      const found = state.invoices.get(id);
      return found && structuredClone(found);
    },
  };
}

function paymentIdOf(posData: string | null): string | null {
  try {
    const payment = (JSON.parse(posData ?? 'null') as { payment?: unknown } | null)?.payment;
    return typeof payment === 'string' ? payment : null;
  } catch {
    return null;
  }
}
