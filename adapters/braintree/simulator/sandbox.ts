import { alpha3FromAlpha2 } from '../../../src/domain/countries.js';
import { cardBrand, luhnValid, type CardBrand } from '../../../src/domain/card.js';
import { currencyExponent } from '../../../src/domain/currency.js';
import { sandboxTestCard, type SandboxOutcome } from '../../testkit/test-cards.js';

/**
 * Braintree's sandbox conventions (reference/general/testing): the amount picks the processor
 * response, only test card numbers are accepted, and a few card, CVV and postal code values
 * trip the gateway's fraud and AVS/CVV rules.
 */

/** Gateway-rejected for fraud on the default sandbox merchant. */
export const FRAUD_CARD = '4000111111111511';
/** Gateway-rejected on the risk threshold (merchants with Advanced Fraud Protection). */
const RISK_THRESHOLD_CARD = '4111130000000003';

/** Braintree's published test numbers, plus the SDK's card-type indicator numbers (braintree/lib/braintree/test_values). */
const TEST_CARD_NUMBERS: ReadonlySet<string> = new Set([
  // Valid card numbers.
  '378282246310005', '371449635398431', '36259600000004', '6011000991300009', '3530111333300000',
  '6304000000000000', '5555555555554444', '2223000048400011', '4111111111111111', '4005519200000004',
  '4009348888881881', '4012000033330026', '4012000077777777', '4012888888881881', '4217651111111119',
  '4500600000000061', '6243030000000001', '6221261111117766', '6223164991230014',
  // "Unsuccessful verification" numbers: they fail card verifications only; a sale goes by its amount.
  '4000111111111115', '5105105105105100', '378734493671000', '6011000990139424', '38520000009814', '3566002020360505',
  // Card-type indicators.
  '4229989800000003', '4111111111131010', '4229989700000004', '4229989100000000', '4111111111121102',
  '4117101010101010', '4111161010101010', '4111111510101010', '4111111141010101', '4111111111310101',
  '4111111111111210', '4229989900000002', '4111111114101010', '4229989500000006', '4111111111112101',
  '4023898493988028', FRAUD_CARD, RISK_THRESHOLD_CARD,
]);

/** The CVV that answers N (does not match), which the CVV rule rejects. */
export const CVV_NO_MATCH = '200';
/** The postal code that fails AVS, which the AVS rule rejects. */
const POSTAL_CODE_NO_MATCH = '20001';

const CARD_TYPES: Readonly<Record<CardBrand, string>> = {
  visa: 'Visa',
  mastercard: 'MasterCard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  maestro: 'Maestro',
  unknown: 'Unknown',
};

export interface ValidationError {
  code: string;
  attribute: string;
  message: string;
  /** Where Braintree nests it: under `transaction`, or `transaction` > `credit-card`. */
  scope: 'transaction' | 'credit-card';
}

export interface CardParams {
  number?: unknown;
  expirationMonth?: unknown;
  expirationYear?: unknown;
  expirationDate?: unknown;
  cvv?: unknown;
}

const cardError = (code: string, attribute: string, message: string): ValidationError => ({ code, attribute, message, scope: 'credit-card' });

export function cardErrors(card: CardParams): ValidationError[] {
  const errors: ValidationError[] = [];
  const number = typeof card.number === 'string' ? card.number : '';
  if (!number) errors.push(cardError('81714', 'number', 'Credit card number is required.'));
  else if (!/^\d{12,19}$/.test(number)) errors.push(cardError('81716', 'number', 'Credit card number must be 12-19 digits.'));
  else if (!luhnValid(number)) errors.push(cardError('81715', 'number', 'Credit card number is invalid.'));
  else if (!TEST_CARD_NUMBERS.has(number) && sandboxTestCard(number) === undefined) {
    errors.push(cardError('81717', 'number', 'Credit card number is not an accepted test number.'));
  }

  const expiry = expiration(card);
  if (!expiry) errors.push(cardError('81709', 'expiration_date', 'Expiration date is required.'));
  else {
    if (!/^(0?[1-9]|1[0-2])$/.test(expiry.month)) errors.push(cardError('81712', 'expiration_month', 'Expiration month is invalid.'));
    if (!/^\d{4}$/.test(expiry.year)) errors.push(cardError('81713', 'expiration_year', 'Expiration year is invalid.'));
  }

  if (card.cvv !== undefined) {
    const digits = cardBrand(number) === 'amex' ? 4 : 3;
    if (typeof card.cvv !== 'string' || !new RegExp(`^\\d{${digits}}$`).test(card.cvv)) {
      errors.push(cardError('81707', 'cvv', 'CVV must be 4 digits for American Express and 3 digits for other card types.'));
    }
  }
  return errors;
}

/** Month and year from `expiration_month`/`expiration_year` or `expiration_date` ("MM/YYYY"). */
export function expiration(card: CardParams): { month: string; year: string } | null {
  if (typeof card.expirationMonth === 'string' && typeof card.expirationYear === 'string') {
    return { month: card.expirationMonth, year: card.expirationYear };
  }
  const date = typeof card.expirationDate === 'string' ? /^(\d{1,2})\/(\d{2}|\d{4})$/.exec(card.expirationDate) : null;
  return date ? { month: date[1]!, year: date[2]!.length === 2 ? `20${date[2]}` : date[2]! } : null;
}

export function cardType(number: string): string {
  return CARD_TYPES[cardBrand(number)];
}

/** A rejection the gateway makes before the processor is asked. */
export function rejectionBeforeProcessor(number: string, amount: number, currency: string): string | null {
  if (number === FRAUD_CARD) return 'fraud';
  if (number === RISK_THRESHOLD_CARD) return 'risk_threshold';
  if (amount === 5001 * 10 ** currencyExponent(currency)!) return 'application_incomplete';
  return null;
}

/**
 * The processor's answer by amount, in major units whatever the currency: 2000.00–2999.99
 * decline with that code, 3000.00–3000.99 fail with 3000, anything else approves.
 */
export function processorResponse(amount: number, currency: string): { code: string; status: 'authorized' | 'processor_declined' | 'failed' } {
  const major = Math.floor(amount / 10 ** currencyExponent(currency)!);
  if (major >= 2000 && major <= 2999) return { code: String(major), status: 'processor_declined' };
  if (major === 3000) return { code: '3000', status: 'failed' };
  return { code: '1000', status: 'authorized' };
}

export interface VerificationResponses {
  cvv: string;
  postalCode: string;
  streetAddress: string;
}

/** M matches, N does not, I not provided. */
export function verificationResponses(cvv: unknown, postalCode: unknown, streetAddress: unknown): VerificationResponses {
  const given = (value: unknown) => typeof value === 'string' && value !== '';
  return {
    cvv: !given(cvv) ? 'I' : cvv === CVV_NO_MATCH ? 'N' : 'M',
    postalCode: !given(postalCode) ? 'I' : postalCode === POSTAL_CODE_NO_MATCH ? 'N' : 'M',
    streetAddress: given(streetAddress) ? 'M' : 'I',
  };
}

/** The sandbox merchant's AVS and CVV rules: reject when the CVV or the postal code does not match. */
export function verificationRejection(responses: VerificationResponses): string | null {
  const cvv = responses.cvv === 'N';
  const avs = responses.postalCode === 'N';
  if (cvv && avs) return 'avs_and_cvv';
  if (cvv) return 'cvv';
  if (avs) return 'avs';
  return null;
}

/**
 * The shared sandbox test cards (`testkit/test-cards.ts`, Stripe's numbers), answered with
 * Braintree's own processor response for each outcome, so they decline here as on Stripe. The
 * amount conventions win: an amount that declines by itself declines as it says. Braintree has
 * no 3-D Secure on its server-side API: a card that needs it gets 2099 "Cardholder
 * Authentication Required".
 */
const SHARED_RESPONSES: Readonly<Record<Exclude<SandboxOutcome, 'approve' | 'fraudulent'>, string>> = {
  generic_decline: '2046', // Declined
  insufficient_funds: '2001', // Insufficient Funds
  lost_card: '2012', // Processor Declined - Possible Lost Card
  stolen_card: '2013', // Processor Declined - Possible Stolen Card
  expired_card: '2004', // Expired Card
  incorrect_cvc: '2010', // Card Issuer Declined CVV
  processing_error: '3000', // Processor Network Unavailable - Try Again
  velocity_exceeded: '2002', // Limit Exceeded
  three_d_secure: '2099', // Cardholder Authentication Required
};

/** What a shared sandbox card does on Braintree: a gateway rejection, a processor response, or nothing (approved). */
export function sharedCardResponse(number: string): { rejection: string } | { code: string; status: 'processor_declined' | 'failed' } | null {
  const card = sandboxTestCard(number);
  if (card === undefined || card.outcome === 'approve') return null;
  if (card.outcome === 'fraudulent') return { rejection: 'fraud' };
  const code = SHARED_RESPONSES[card.outcome];
  return { code, status: code.startsWith('3') ? 'failed' : 'processor_declined' };
}

/**
 * Braintree's card type indicators and country of issuance (alpha-3) for a card the sandbox
 * knows (the shared cards say); `Unknown` for any other number, as Braintree answers for a BIN
 * it has no data on.
 */
export function cardIndicators(number: string): { debit: string; prepaid: string; countryOfIssuance: string } {
  const card = sandboxTestCard(number);
  if (!card) return { debit: 'Unknown', prepaid: 'Unknown', countryOfIssuance: 'Unknown' };
  const yesNo = (yes: boolean) => (yes ? 'Yes' : 'No');
  return { debit: yesNo(card.funding === 'debit'), prepaid: yesNo(card.funding === 'prepaid'), countryOfIssuance: alpha3FromAlpha2(card.country) ?? 'Unknown' };
}

/** The issuer country of a card the sandbox knows (the shared cards say), else US. */
export function issuerCountry(number: string): string {
  return sandboxTestCard(number)?.country ?? 'US';
}
