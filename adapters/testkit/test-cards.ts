import type { CardBrand, CardFunding } from '../../src/domain/card.js';

/**
 * One sandbox test-card table for every simulator: Stripe's public test numbers, which each
 * simulator answers with its own provider's code for that outcome (besides its provider's own
 * conventions: Adyen's holder names, Braintree's amounts, which win when used). So a newcomer's
 * decline card declines wherever routing sends it.
 *
 * Simulators never keep the number: they look it up, then keep BIN/last4 or less.
 */
export type SandboxOutcome =
  | 'approve'
  | 'generic_decline'
  | 'insufficient_funds'
  | 'lost_card'
  | 'stolen_card'
  | 'expired_card'
  | 'incorrect_cvc'
  | 'processing_error'
  | 'fraudulent'
  | 'velocity_exceeded'
  /** The issuer wants 3-D Secure: a redirect where the provider models it, else its authentication decline. */
  | 'three_d_secure';

export interface SandboxTestCard {
  number: string;
  brand: CardBrand;
  /** The issuer's country (ISO 3166-1 alpha-2), which approval rules can match on. */
  country: string;
  /** Credit, debit or prepaid, as Stripe lists the card; every simulator reports it. */
  funding: CardFunding;
  outcome: SandboxOutcome;
  description: string;
}

const card = (number: string, brand: CardBrand, outcome: SandboxOutcome, description: string, country = 'US', funding: CardFunding = 'credit'): SandboxTestCard => ({
  number,
  brand,
  country,
  funding,
  outcome,
  description,
});

export const SANDBOX_TEST_CARDS: readonly SandboxTestCard[] = [
  card('4242424242424242', 'visa', 'approve', 'Visa'),
  card('4000056655665556', 'visa', 'approve', 'Visa debit', 'US', 'debit'),
  card('5555555555554444', 'mastercard', 'approve', 'Mastercard'),
  card('2223003122003222', 'mastercard', 'approve', 'Mastercard 2-series'),
  card('5200828282828210', 'mastercard', 'approve', 'Mastercard debit', 'US', 'debit'),
  card('5105105105105100', 'mastercard', 'approve', 'Mastercard prepaid', 'US', 'prepaid'),
  card('378282246310005', 'amex', 'approve', 'American Express'),
  card('371449635398431', 'amex', 'approve', 'American Express'),
  card('6011111111111117', 'discover', 'approve', 'Discover'),
  card('3566002020360505', 'jcb', 'approve', 'JCB'),
  card('4000000760000002', 'visa', 'approve', 'Visa issued in Brazil', 'BR'),
  card('4000001240000000', 'visa', 'approve', 'Visa issued in Canada', 'CA'),
  card('4000004840008001', 'visa', 'approve', 'Visa issued in Mexico', 'MX'),
  card('4000002760000016', 'visa', 'approve', 'Visa issued in Germany', 'DE'),
  card('4000002500000003', 'visa', 'approve', 'Visa issued in France', 'FR'),
  card('4000008260000000', 'visa', 'approve', 'Visa issued in the United Kingdom', 'GB'),
  card('4000058260000005', 'visa', 'approve', 'Visa debit issued in the United Kingdom', 'GB', 'debit'),
  card('5555558265554449', 'mastercard', 'approve', 'Mastercard issued in the United Kingdom', 'GB'),
  card('4000003920000003', 'visa', 'approve', 'Visa issued in Japan', 'JP'),
  card('3530111333300000', 'jcb', 'approve', 'JCB issued in Japan', 'JP'),
  card('4000000360000006', 'visa', 'approve', 'Visa issued in Australia', 'AU'),
  card('4000000000000002', 'visa', 'generic_decline', 'Generic decline'),
  card('4000000000009995', 'visa', 'insufficient_funds', 'Insufficient funds'),
  card('4000000000009987', 'visa', 'lost_card', 'Lost card'),
  card('4000000000009979', 'visa', 'stolen_card', 'Stolen card'),
  card('4000000000000069', 'visa', 'expired_card', 'Expired card'),
  card('4000000000000127', 'visa', 'incorrect_cvc', 'Incorrect CVC'),
  card('4000000000000119', 'visa', 'processing_error', 'Processing error'),
  card('4100000000000019', 'visa', 'fraudulent', 'Blocked as fraudulent'),
  card('4000000000006975', 'visa', 'velocity_exceeded', 'Velocity limit exceeded'),
  card('4000002760003184', 'visa', 'three_d_secure', '3-D Secure required'),
  card('4000000000003220', 'visa', 'three_d_secure', '3-D Secure 2 required'),
  card('4000002500003155', 'visa', 'three_d_secure', '3-D Secure required'),
  card('4000000000003063', 'visa', 'three_d_secure', '3-D Secure required'),
];

const BY_NUMBER: ReadonlyMap<string, SandboxTestCard> = new Map(SANDBOX_TEST_CARDS.map((entry) => [entry.number, entry]));

/** The shared test card with this number (spaces and dashes ignored), if it is one. */
export function sandboxTestCard(number: string): SandboxTestCard | undefined {
  return BY_NUMBER.get(number.replace(/[\s-]/g, ''));
}
