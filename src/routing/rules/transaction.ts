import type { CardBrand } from '../../domain/card.js';

/** The facts about a payment that routing rules can look at. */
export interface RoutingTransaction {
  /** The split action is deterministic per payment: hash(paymentId) picks the bucket. */
  paymentId: string;
  /** Minor units. */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  paymentMethod: 'card';
  card: {
    network: CardBrand;
    type: 'credit' | 'debit' | 'prepaid' | null;
    /** 6–8 digits. */
    bin: string;
    issuerCountry: string | null;
  };
  billingCountry: string | null;
  captureMethod: 'automatic' | 'manual';
  initiator: 'customer' | 'merchant';
  metadata: Record<string, string>;
  /** 'required': only gateways that can run 3-D Secure are eligible. Absent: the provider and issuer decide. */
  threeDSecure?: 'automatic' | 'required';
}
