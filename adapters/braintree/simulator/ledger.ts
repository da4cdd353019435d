import type { LedgerExport, SimulatorFault, SimulatorLedger } from '../../testkit/simulator.js';
import type { TransactionRecord, TransactionStatus, TransactionStore } from './state.js';
import { countRequests } from '../../testkit/ledger-sums.js';

export interface LedgerRequest {
  method: string;
  /** Without the query string. */
  path: string;
  /** HTTP status sent; null while unanswered or when never answered (hang). */
  status: number | null;
  fault: SimulatorFault['kind'] | null;
  at: number;
}

export interface LedgerTransaction {
  id: string;
  type: 'sale' | 'credit';
  status: TransactionStatus;
  amount: number;
  currency: string;
  orderId: string | null;
  refundedTransactionId: string | null;
}

export interface LedgerDelivery {
  kind: string;
  transactionId: string;
  /** The receiver's HTTP status, or null when it could not be reached. */
  status: number | null;
}

export interface BraintreeLedger extends SimulatorLedger {
  transactions(): LedgerTransaction[];
  transaction(id: string): LedgerTransaction | undefined;
  /** Every API request received, without bodies. */
  requests(): readonly LedgerRequest[];
  /** Notifications sent to the webhook URL. */
  deliveries(): readonly LedgerDelivery[];
}

/** Money that moved (or will at settlement): submitted and not voided or declined since. */
const MOVED: ReadonlySet<TransactionStatus> = new Set(['submitted_for_settlement', 'settled']);

function snapshot(t: TransactionRecord): LedgerTransaction {
  return { id: t.id, type: t.type, status: t.status, amount: t.amount, currency: t.currency, orderId: t.orderId, refundedTransactionId: t.refundedTransactionId };
}

/** What the simulated Braintree really did, derived from its transactions; amounts in minor units. */
export class Ledger implements BraintreeLedger {
  private readonly log: LedgerRequest[] = [];
  private readonly sent: LedgerDelivery[] = [];

  constructor(
    private readonly store: TransactionStore,
    private readonly onReset: () => void,
  ) {}

  recordRequest(method: string, path: string, at: number): LedgerRequest {
    const entry: LedgerRequest = { method, path, status: null, fault: null, at };
    this.log.push(entry);
    return entry;
  }

  recordDelivery(delivery: LedgerDelivery): void {
    this.sent.push(delivery);
  }

  /** Sales that were authorized, whatever happened to them after. */
  charges(): number {
    return this.store.all().filter((t) => t.authorizedAmount > 0).length;
  }

  requestCount(pathPrefix?: string): number {
    return countRequests(this.log, pathPrefix);
  }

  /** authorized: sales authorized; captured: sales submitted for settlement and not voided or declined since; refunded: credits likewise. */
  totals(currency?: string): { authorized: number; captured: number; refunded: number } {
    const totals = { authorized: 0, captured: 0, refunded: 0 };
    for (const t of this.store.all()) {
      if (currency !== undefined && t.currency !== currency.toUpperCase()) continue;
      if (t.type === 'credit') {
        if (MOVED.has(t.status)) totals.refunded += t.amount;
        continue;
      }
      totals.authorized += t.authorizedAmount;
      if (MOVED.has(t.status)) totals.captured += t.amount;
    }
    return totals;
  }

  transactions(): LedgerTransaction[] {
    return this.store.all().map(snapshot);
  }

  transaction(id: string): LedgerTransaction | undefined {
    const found = this.store.get(id);
    return found && snapshot(found);
  }

  requests(): readonly LedgerRequest[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  deliveries(): readonly LedgerDelivery[] {
    return [...this.sent];
  }

  /**
   * Sales as charges (authorized: what the processor approved; captured: what was submitted and
   * not voided or declined at settlement; refunded: its credits likewise; released: authorized and
   * not captured, once voided or submitted for less), credits as refunds.
   */
  export(): LedgerExport {
    const all = this.store.all();
    const credits = all.filter((t) => t.type === 'credit');
    return {
      provider: 'braintree',
      charges: all
        .filter((t) => t.type === 'sale')
        .map((sale) => {
          const captured = MOVED.has(sale.status) ? sale.amount : 0;
          const refunded = credits.filter((c) => c.refundedTransactionId === sale.id && MOVED.has(c.status)).reduce((sum, c) => sum + c.amount, 0);
          const settledOrVoided = sale.status !== 'authorized';
          return {
            reference: sale.id,
            orderReference: sale.orderId,
            paymentId: null,
            // A submit for less lowers a sale's amount: what was asked for is what was authorized.
            amount: sale.authorizedAmount > 0 ? sale.authorizedAmount : sale.amount,
            currency: sale.currency,
            authorized: sale.authorizedAmount,
            captured,
            refunded,
            released: settledOrVoided ? Math.max(0, sale.authorizedAmount - captured) : 0,
            status: sale.status,
            createdAt: sale.createdAt.getTime(),
          };
        }),
      refunds: credits.map((credit) => ({
        reference: credit.id,
        chargeReference: credit.refundedTransactionId ?? '',
        orderReference: credit.orderId,
        amount: credit.amount,
        currency: credit.currency,
        status: credit.status,
      })),
      totals: this.totals(),
    };
  }

  /** Forgets transactions, requests and deliveries; faults, rates and latency stay as set. */
  reset(): void {
    this.log.length = 0;
    this.sent.length = 0;
    this.store.clear();
    this.onReset();
  }
}
