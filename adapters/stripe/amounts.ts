import { currencyExponent, formatMinor, rescaleMinor } from '../../src/domain/currency.js';
import type { ProviderAmount } from '../testkit/contract.js';

/*
 * Stripe's units, from https://docs.stripe.com/currencies (sections "Zero-decimal currencies",
 * "Three-decimal currencies" and "Special cases"; checked 2026-11-30):
 * - Currencies are two-decimal unless listed otherwise.
 * - Zero-decimal: BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF. MGA is
 *   two-decimal in ISO 4217, so a canonical MGA amount must be whole ariary.
 * - ISK and UGX: "transitioned to a zero-decimal currency, but backward compatibility requires you
 *   to represent it as a two-decimal value, where the decimal amount is always 00" (5 ISK is 500).
 *   UGX is also in the zero-decimal list; the special case is the rule for charges, so it wins.
 *   Stripe rejects an ISK amount not divisible by 100 with 400
 *   `invalid_charge_amount_no_decimal_compatible` (support.stripe.com, "Deprecation of fractional
 *   ISK charges and refunds"), charges and refunds alike.
 * - Three-decimal: BHD JOD KWD OMR TND, whose "least-significant (last) digit" must be 0.
 * - HUF and TWD are zero-decimal for payouts only; charges and refunds are two-decimal (as ISO).
 * IQD and LYD (three-decimal in ISO) are not in Stripe's three-decimal list, so Stripe would count
 * them in two decimals; neither is among its presentment currencies, which it refuses itself.
 */
const ZERO_DECIMAL: ReadonlySet<string> = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const WHOLE_UNITS_IN_TWO_DECIMALS: ReadonlySet<string> = new Set(['ISK', 'UGX']);
const THREE_DECIMAL: ReadonlySet<string> = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** How many decimals Stripe counts `currency` (upper case) in. */
function stripeExponent(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

/** Every Stripe amount in `currency` must be a multiple of this, in Stripe's units. */
export function stripeStep(currency: string): number {
  if (WHOLE_UNITS_IN_TWO_DECIMALS.has(currency)) return 100;
  if (THREE_DECIMAL.has(currency)) return 10;
  return 1;
}

/** Canonical minor units of `currency` (upper case) as Stripe's `amount`, or why Stripe cannot take them. */
export function toStripeAmount(minor: number, currency: string): ProviderAmount {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return { ok: false, detail: `${currency} is not an ISO 4217 currency.` };
  const value = rescaleMinor(minor, exponent, stripeExponent(currency));
  const step = stripeStep(currency);
  if (value === null || value % step !== 0) {
    return { ok: false, detail: `Stripe cannot charge ${formatMinor(minor, currency)} ${currency} exactly: ${stepRule(currency)}` };
  }
  return { ok: true, value };
}

/** A Stripe `amount` in canonical minor units of `currency` (any case), or null when they cannot hold it. */
export function fromStripeAmount(value: number, currency: string): number | null {
  const code = currency.toUpperCase();
  const exponent = currencyExponent(code);
  if (exponent === undefined) return null;
  return rescaleMinor(value, stripeExponent(code), exponent);
}

function stepRule(currency: string): string {
  if (WHOLE_UNITS_IN_TWO_DECIMALS.has(currency) || stripeExponent(currency) === 0) return `it takes whole units of ${currency} only.`;
  if (THREE_DECIMAL.has(currency)) return `its amounts in ${currency} must end in 0 (whole hundredths).`;
  return `it counts ${currency} in ${stripeExponent(currency)} decimals.`;
}
