import { randomBytes } from 'node:crypto';
import type { PaymentInstrument } from './wallet-nonces.js';

export type TransactionStatus =
  | 'authorized'
  | 'submitted_for_settlement'
  | 'settled'
  | 'settlement_declined'
  | 'voided'
  | 'processor_declined'
  | 'gateway_rejected'
  | 'failed';

/** What the simulator keeps of a card: never the number or the CVV. */
export interface CardSummary {
  bin: string;
  last4: string;
  cardType: string;
  expirationMonth: string;
  expirationYear: string;
  cardholderName: string | null;
  /** Braintree's card type indicators: `Yes`, `No` or `Unknown` (absent on records saved before they existed). */
  debit?: string;
  prepaid?: string;
  /** ISO 3166-1 alpha-3, or `Unknown`. */
  countryOfIssuance?: string;
}

export interface TransactionRecord {
  id: string;
  type: 'sale' | 'credit';
  status: TransactionStatus;
  merchantAccountId: string;
  currency: string;
  /** Minor units: the authorized amount, then the amount submitted for settlement; a credit's refund amount. */
  amount: number;
  /** What the processor authorized (0 if it never did): a charge, even if voided later. */
  authorizedAmount: number;
  orderId: string | null;
  createdAt: Date;
  updatedAt: Date;
  processorResponseCode: string | null;
  gatewayRejectionReason: string | null;
  cvvResponseCode: string;
  avsPostalCodeResponseCode: string;
  avsStreetAddressResponseCode: string;
  /** How the sale was paid; absent on transactions saved before wallets: a card. */
  instrument?: PaymentInstrument;
  /** The card, or the wallet's device card. */
  card: CardSummary;
  refundIds: string[];
  refundedTransactionId: string | null;
  /** When a submitted transaction settles by itself (ms since epoch), or null. */
  settlesAt: number | null;
  /** The card network's id of an authorized sale; absent on transactions saved before it existed. */
  networkTransactionId?: string | null;
}

/** Braintree ids are short lower-case alphanumerics, which the SDK accepts as path segments. */
export function newTransactionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(8), (byte) => alphabet[byte % alphabet.length]).join('');
}

export class TransactionStore {
  private readonly records = new Map<string, TransactionRecord>();

  add(record: TransactionRecord): TransactionRecord {
    this.records.set(record.id, record);
    return record;
  }

  get(id: string): TransactionRecord | undefined {
    return this.records.get(id);
  }

  all(): TransactionRecord[] {
    return [...this.records.values()];
  }

  clear(): void {
    this.records.clear();
  }

  /** Every transaction as plain JSON (dates as ISO text); never a card number or CVV, which are not held. */
  saved(): SavedTransaction[] {
    return this.all().map((t) => ({ ...t, card: { ...t.card }, refundIds: [...t.refundIds], createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString() }));
  }

  restore(saved: readonly SavedTransaction[]): void {
    this.clear();
    for (const t of saved) this.add({ ...t, createdAt: new Date(t.createdAt), updatedAt: new Date(t.updatedAt) });
  }
}

export type SavedTransaction = Omit<TransactionRecord, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };
