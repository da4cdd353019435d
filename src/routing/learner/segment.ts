import { currencyExponent } from '../../domain/currency.js';

/**
 * Amount bands in major units of the payment's currency, so 5 000 JPY and 50.00 USD land in
 * the same band: under 10, under 100, under 1 000, and 1 000 or more.
 */
export const AMOUNT_BANDS = ['under_10', 'under_100', 'under_1000', 'from_1000'] as const;
export type AmountBand = (typeof AMOUNT_BANDS)[number];

const BAND_UPPER_BOUNDS_MAJOR = [10, 100, 1000] as const;

/** Throws for an unknown currency: amounts are validated long before routing sees them. */
export function amountBand(amount: number, currency: string): AmountBand {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency: ${currency}`);
  const scale = 10 ** exponent;
  for (let i = 0; i < BAND_UPPER_BOUNDS_MAJOR.length; i++) {
    if (amount < BAND_UPPER_BOUNDS_MAJOR[i]! * scale) return AMOUNT_BANDS[i]!;
  }
  return 'from_1000';
}

/** The traffic slice a success rate is learned for, per gateway account. */
export interface Segment {
  paymentMethod: string;
  /** Card network (CardBrand); null for methods without one. */
  network: string | null;
  currency: string;
  issuerCountry: string | null;
  amountBand: AmountBand;
}

export function segmentOf(facts: {
  paymentMethod: string;
  network: string | null;
  currency: string;
  issuerCountry: string | null;
  amount: number;
}): Segment {
  return {
    paymentMethod: facts.paymentMethod,
    network: facts.network,
    currency: facts.currency,
    issuerCountry: facts.issuerCountry,
    amountBand: amountBand(facts.amount, facts.currency),
  };
}
