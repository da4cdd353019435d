/**
 * Stripe's public test cards and the outcome each one produces, plus the card checks Stripe
 * makes before any authorization (Luhn, expiry, CVC format).
 *
 * Card numbers and CVCs only pass through `evaluateCard`; what leaves it is brand, last4,
 * expiry, a keyed fingerprint and the outcome.
 */

import { cardBrand as canonicalBrand, luhnValid } from '../../../src/domain/card.js';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay' | 'unknown';
export type CardFunding = 'credit' | 'debit' | 'prepaid';

export type CardOutcome =
  | { kind: 'approve' }
  /** 3D Secure is required; after the customer authenticates the payment is approved. */
  | { kind: 'authenticate' }
  | {
      kind: 'decline';
      code: 'card_declined' | 'expired_card' | 'incorrect_cvc' | 'processing_error';
      declineCode: string;
      message: string;
      param?: string;
    };

export interface TestCard {
  number: string;
  brand: CardBrand;
  funding: CardFunding;
  outcome: CardOutcome;
  /** Stripe's ready-made test PaymentMethod id for this card, if it has one. */
  paymentMethod?: string;
  /** The issuer's country (ISO 3166-1 alpha-2); Stripe's test cards are US unless listed by country. */
  country?: string;
  description: string;
}

type DeclineOutcome = Extract<CardOutcome, { kind: 'decline' }>;

const APPROVE: CardOutcome = { kind: 'approve' };
const AUTHENTICATE: CardOutcome = { kind: 'authenticate' };
const DECLINED_MESSAGE = 'Your card was declined.';

function decline(code: DeclineOutcome['code'], declineCode: string, message: string, param?: string): DeclineOutcome {
  return param ? { kind: 'decline', code, declineCode, message, param } : { kind: 'decline', code, declineCode, message };
}

/** The issuer's soft decline for an otherwise good card, as approval-rate steering hands it out. */
export const ISSUER_SOFT_DECLINE = decline('card_declined', 'do_not_honor', DECLINED_MESSAGE);

export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_visa', description: 'Visa, succeeds' },
  { number: '4000056655665556', brand: 'visa', funding: 'debit', outcome: APPROVE, paymentMethod: 'pm_card_visa_debit', description: 'Visa debit, succeeds' },
  { number: '5555555555554444', brand: 'mastercard', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_mastercard', description: 'Mastercard, succeeds' },
  { number: '2223003122003222', brand: 'mastercard', funding: 'credit', outcome: APPROVE, description: 'Mastercard 2-series, succeeds' },
  { number: '5200828282828210', brand: 'mastercard', funding: 'debit', outcome: APPROVE, paymentMethod: 'pm_card_mastercard_debit', description: 'Mastercard debit, succeeds' },
  { number: '5105105105105100', brand: 'mastercard', funding: 'prepaid', outcome: APPROVE, paymentMethod: 'pm_card_mastercard_prepaid', description: 'Mastercard prepaid, succeeds' },
  { number: '378282246310005', brand: 'amex', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_amex', description: 'American Express, succeeds' },
  { number: '371449635398431', brand: 'amex', funding: 'credit', outcome: APPROVE, description: 'American Express, succeeds' },
  { number: '6011111111111117', brand: 'discover', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_discover', description: 'Discover, succeeds' },
  { number: '3566002020360505', brand: 'jcb', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_jcb', description: 'JCB, succeeds' },
  // Cards by issuer country (Stripe's "international cards"): they succeed.
  { number: '4000000760000002', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_br', country: 'BR', description: 'Brazil, Visa' },
  { number: '4000001240000000', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_ca', country: 'CA', description: 'Canada, Visa' },
  { number: '4000004840008001', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_mx', country: 'MX', description: 'Mexico, Visa' },
  { number: '4000002760000016', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_de', country: 'DE', description: 'Germany, Visa' },
  { number: '4000002500000003', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_fr', country: 'FR', description: 'France, Visa' },
  { number: '4000008260000000', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_gb', country: 'GB', description: 'United Kingdom, Visa' },
  { number: '4000058260000005', brand: 'visa', funding: 'debit', outcome: APPROVE, country: 'GB', description: 'United Kingdom, Visa debit' },
  { number: '5555558265554449', brand: 'mastercard', funding: 'credit', outcome: APPROVE, country: 'GB', description: 'United Kingdom, Mastercard' },
  { number: '4000003920000003', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_jp', country: 'JP', description: 'Japan, Visa' },
  { number: '3530111333300000', brand: 'jcb', funding: 'credit', outcome: APPROVE, country: 'JP', description: 'Japan, JCB' },
  { number: '4000000360000006', brand: 'visa', funding: 'credit', outcome: APPROVE, paymentMethod: 'pm_card_au', country: 'AU', description: 'Australia, Visa' },
  { number: '4000000000000002', brand: 'visa', funding: 'credit', outcome: decline('card_declined', 'generic_decline', DECLINED_MESSAGE), paymentMethod: 'pm_card_visa_chargeDeclined', description: 'Generic decline' },
  { number: '4000000000009995', brand: 'visa', funding: 'credit', outcome: decline('card_declined', 'insufficient_funds', 'Your card has insufficient funds.'), paymentMethod: 'pm_card_visa_chargeDeclinedInsufficientFunds', description: 'Insufficient funds' },
  { number: '4000000000009987', brand: 'visa', funding: 'credit', outcome: decline('card_declined', 'lost_card', DECLINED_MESSAGE), paymentMethod: 'pm_card_visa_chargeDeclinedLostCard', description: 'Lost card' },
  { number: '4000000000009979', brand: 'visa', funding: 'credit', outcome: decline('card_declined', 'stolen_card', DECLINED_MESSAGE), paymentMethod: 'pm_card_visa_chargeDeclinedStolenCard', description: 'Stolen card' },
  { number: '4000000000006975', brand: 'visa', funding: 'credit', outcome: decline('card_declined', 'card_velocity_exceeded', DECLINED_MESSAGE), paymentMethod: 'pm_card_visa_chargeDeclinedVelocityLimitExceeded', description: 'Velocity limit exceeded' },
  { number: '4100000000000019', brand: 'visa', funding: 'credit', outcome: decline('card_declined', 'fraudulent', DECLINED_MESSAGE), paymentMethod: 'pm_card_radarBlock', description: 'Highest risk, blocked by Radar' },
  { number: '4000000000000069', brand: 'visa', funding: 'credit', outcome: decline('expired_card', 'expired_card', 'Your card has expired.'), paymentMethod: 'pm_card_chargeDeclinedExpiredCard', description: 'Expired card' },
  { number: '4000000000000127', brand: 'visa', funding: 'credit', outcome: decline('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect.", 'cvc'), paymentMethod: 'pm_card_chargeDeclinedIncorrectCvc', description: 'Incorrect CVC' },
  { number: '4000000000000119', brand: 'visa', funding: 'credit', outcome: decline('processing_error', 'processing_error', 'An error occurred while processing your card. Try again in a little bit.'), paymentMethod: 'pm_card_chargeDeclinedProcessingError', description: 'Processing error' },
  { number: '4000002500003155', brand: 'visa', funding: 'credit', outcome: AUTHENTICATE, paymentMethod: 'pm_card_authenticationRequiredOnSetup', description: '3DS required for one-off payments' },
  { number: '4000002760003184', brand: 'visa', funding: 'credit', outcome: AUTHENTICATE, paymentMethod: 'pm_card_authenticationRequired', description: '3DS always required' },
  { number: '4000000000003220', brand: 'visa', funding: 'credit', outcome: AUTHENTICATE, paymentMethod: 'pm_card_threeDSecure2Required', description: '3DS2 required' },
  { number: '4000000000003063', brand: 'visa', funding: 'credit', outcome: AUTHENTICATE, description: '3DS required' },
];

const BY_NUMBER = new Map(TEST_CARDS.map((card) => [card.number, card]));
const BY_PAYMENT_METHOD = new Map(
  TEST_CARDS.filter((card) => card.paymentMethod).map((card) => [card.paymentMethod as string, card]),
);

/** A test card by Stripe's test PaymentMethod id (`pm_card_visa`, ...). */
export function testCardForPaymentMethod(id: string): TestCard | undefined {
  return BY_PAYMENT_METHOD.get(id);
}

/** Stripe's card brands: the canonical ones, but Stripe has no Maestro brand of its own. */
export function cardBrand(digits: string): CardBrand {
  const brand = canonicalBrand(digits);
  return brand === 'maestro' ? 'unknown' : brand;
}

export interface RawCard {
  number: string;
  expMonth: string;
  expYear: string;
  cvc?: string | undefined;
}

export interface CardDetails {
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  fingerprint: string;
  /** Stripe says `unknown` and a null country for a card it has no BIN data on: here, any number not among its test cards. */
  funding: CardFunding | 'unknown';
  country: string | null;
  cvcCheck: 'pass' | 'fail' | null;
}

export interface CardValidationError {
  code: 'invalid_number' | 'incorrect_number' | 'invalid_expiry_month' | 'invalid_expiry_year' | 'expired_card' | 'invalid_cvc';
  message: string;
  /** The card field, e.g. `number`; the caller prefixes it. */
  field: 'number' | 'exp_month' | 'exp_year' | 'cvc';
}

export type CardEvaluation =
  | { ok: true; details: CardDetails; outcome: CardOutcome }
  | { ok: false; error: CardValidationError };

/**
 * Validates a raw card as Stripe does when it creates a card PaymentMethod and tells what
 * authorizing it will do. `fingerprint` turns the number into a stable, non-reversible token.
 */
export function evaluateCard(card: RawCard, now: Date, fingerprint: (digits: string) => string): CardEvaluation {
  const digits = card.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) {
    return { ok: false, error: { code: 'invalid_number', message: 'Your card number is invalid.', field: 'number' } };
  }
  if (!luhnValid(digits)) {
    return { ok: false, error: { code: 'incorrect_number', message: 'Your card number is incorrect.', field: 'number' } };
  }

  const month = /^\d{1,2}$/.test(card.expMonth.trim()) ? Number(card.expMonth) : NaN;
  if (!(month >= 1 && month <= 12)) {
    return { ok: false, error: { code: 'invalid_expiry_month', message: "Your card's expiration month is invalid.", field: 'exp_month' } };
  }
  let year = /^\d{2}$|^\d{4}$/.test(card.expYear.trim()) ? Number(card.expYear) : NaN;
  if (year < 100) year += 2000;
  const thisYear = now.getUTCFullYear();
  const thisMonth = now.getUTCMonth() + 1;
  if (!(year >= thisYear && year <= thisYear + 50)) {
    return { ok: false, error: { code: 'invalid_expiry_year', message: "Your card's expiration year is invalid.", field: 'exp_year' } };
  }
  if (year === thisYear && month < thisMonth) {
    return { ok: false, error: { code: 'expired_card', message: 'Your card has expired.', field: 'exp_month' } };
  }

  const brand = cardBrand(digits);
  if (card.cvc !== undefined) {
    const cvcOk = brand === 'amex' ? /^\d{3,4}$/.test(card.cvc) : /^\d{3}$/.test(card.cvc);
    if (!cvcOk) {
      return { ok: false, error: { code: 'invalid_cvc', message: "Your card's security code is invalid.", field: 'cvc' } };
    }
  }

  const test = BY_NUMBER.get(digits);
  const outcome = test?.outcome ?? APPROVE;
  const cvcFails = outcome.kind === 'decline' && outcome.code === 'incorrect_cvc';
  return {
    ok: true,
    outcome,
    details: {
      brand,
      last4: digits.slice(-4),
      expMonth: month,
      expYear: year,
      fingerprint: fingerprint(digits),
      funding: test?.funding ?? 'unknown',
      country: test ? (test.country ?? 'US') : null,
      cvcCheck: card.cvc === undefined ? null : cvcFails ? 'fail' : 'pass',
    },
  };
}
