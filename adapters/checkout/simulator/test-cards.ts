import { cardBrand, type CardBrand } from '../../../src/domain/card.js';
import { sandboxTestCard, type SandboxOutcome } from '../../testkit/test-cards.js';

/** What the simulated issuer answers for a card: approve, a decline code, or a 3-D Secure challenge. */
export type CardAnswer = { kind: 'approve' } | { kind: 'decline'; code: string; summary: string } | { kind: 'three_d_secure' };

/**
 * The shared sandbox test cards (testkit/test-cards.ts) answered with Checkout.com's response codes
 * for the same outcome (declines.ts maps each back to the same canonical reason).
 */
const ANSWERS: Readonly<Record<SandboxOutcome, CardAnswer>> = {
  approve: { kind: 'approve' },
  generic_decline: { kind: 'decline', code: '20099', summary: 'Other / Unidentified responses' },
  insufficient_funds: { kind: 'decline', code: '20051', summary: 'Insufficient Funds' },
  lost_card: { kind: 'decline', code: '30041', summary: 'Lost card - Pick up' },
  stolen_card: { kind: 'decline', code: '30043', summary: 'Stolen card - Pick up' },
  expired_card: { kind: 'decline', code: '20054', summary: 'Expired card' },
  incorrect_cvc: { kind: 'decline', code: '20082', summary: 'Negative CAM, dCVV, iCVV, or CVV results' },
  processing_error: { kind: 'decline', code: '20096', summary: 'System malfunction' },
  // Checkout.com's own risk engine blocks it, as Stripe's Radar does.
  fraudulent: { kind: 'decline', code: '40101', summary: 'Risk blocked transaction' },
  velocity_exceeded: { kind: 'decline', code: '20065', summary: 'Exceeds Withdrawal Frequency Limit' },
  three_d_secure: { kind: 'three_d_secure' },
};

/** The soft decline of an approval the steering's approval rate turns down. */
export const DO_NOT_HONOUR: CardAnswer & { kind: 'decline' } = { kind: 'decline', code: '20005', summary: 'Declined - Do not honour' };
/** 3-D Secure was needed and not asked for (`3ds.enabled` false). */
export const AUTHENTICATION_REQUIRED: CardAnswer & { kind: 'decline' } = { kind: 'decline', code: '20154', summary: '3DS authentication required' };
/** The shopper failed the challenge. */
export const AUTHENTICATION_FAILED: CardAnswer & { kind: 'decline' } = { kind: 'decline', code: '20151', summary: 'Cardholder failed 3DS authentication' };
export const EXPIRED: CardAnswer & { kind: 'decline' } = { kind: 'decline', code: '20054', summary: 'Expired card' };

const SCHEMES: Partial<Record<CardBrand, string>> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club International',
  jcb: 'JCB',
};

export interface CardFacts {
  answer: CardAnswer;
  network: CardBrand;
  scheme: string;
  cardType: 'CREDIT' | 'DEBIT' | 'PREPAID' | null;
  issuerCountry: string | null;
}

/** Any other number is approved, with no BIN data (as a gateway without it answers). */
export function cardFacts(number: string): CardFacts {
  const known = sandboxTestCard(number);
  const network = known?.brand ?? cardBrand(number);
  return {
    answer: known ? ANSWERS[known.outcome] : { kind: 'approve' },
    network,
    scheme: SCHEMES[network] ?? 'Unknown',
    cardType: known ? (known.funding.toUpperCase() as 'CREDIT' | 'DEBIT' | 'PREPAID') : null,
    issuerCountry: known?.country ?? null,
  };
}
