import type { CardBrand } from '../../domain/card.js';
import type { PaymentMethodType } from '../../domain/payment-method.js';

/** The facts about a payment that routing rules can look at. */
export interface RoutingTransaction {
  /** The split action is deterministic per payment: hash(paymentId) picks the bucket. */
  paymentId: string;
  /** Minor units. */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  paymentMethod: PaymentMethodType;
  /**
   * The card's facts; for a wallet, what the wallet shows in clear (its network, Apple Pay's funding):
   * its card number is inside the encrypted token, so it has no BIN and no known issuer country.
   */
  card: {
    network: CardBrand;
    type: 'credit' | 'debit' | 'prepaid' | null;
    /** 6–8 digits; null for a wallet, whose number routing never sees (BIN conditions do not match it). */
    bin: string | null;
    issuerCountry: string | null;
  };
  billingCountry: string | null;
  captureMethod: 'automatic' | 'manual';
  initiator: 'customer' | 'merchant';
  metadata: Record<string, string>;
  /** Providers that can use the payment's token at all (a Google Pay token is encrypted for one gateway); absent or null: any that takes the method. */
  tokenProviders?: readonly string[] | null;
  /** 'required': only gateways that can run 3-D Secure are eligible. Absent: the provider and issuer decide. */
  threeDSecure?: 'automatic' | 'required';
}
