import { CURRENCIES } from 'checkout-sdk-node/dist/config.js';
import { currencyExponent, formatMinor, rescaleMinor } from '../../src/domain/currency.js';
import type { ProviderAmount } from '../testkit/contract.js';

/*
 * Checkout.com's units, from "Format the amount value" (checkout.com/docs/resources/calculating-the-amount,
 * last updated 2025-11-26, read 2026-11-30):
 * - Full value (no decimals): BIF DJF GNF ISK JPY KMF KRW PYG RWF UGX VUV VND XAF XOF XPF.
 * - Divided by 1000: BHD IQD JOD KWD LYD OMR TND, and "the last digit must always be a 0".
 * - Every other currency is divided by 100. CLP (ISO: no decimals) is therefore sent in hundredths
 *   (a note on the page names CLP; its text was cut off where it was read), and a whole peso always
 *   ends in 00; CLF (ISO: four decimals) in two, so a canonical CLF amount must be whole hundredths.
 * - The amount has at most nine digits and is greater than zero, for every currency.
 * The currencies Checkout.com takes at all are the SDK's own table (`CURRENCIES`, which its
 * `payments.request` checks before sending anything).
 */
const FULL_VALUE: ReadonlySet<string> = new Set(['BIF', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VUV', 'VND', 'XAF', 'XOF', 'XPF']);
const THOUSANDTHS: ReadonlySet<string> = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const MAX_VALUE = 999_999_999;

/** ISO 4217 currencies Checkout.com accepts (its SDK's table, which also lists retired codes). */
export const CHECKOUT_CURRENCIES: readonly string[] = Object.keys(CURRENCIES)
  .filter((code) => currencyExponent(code) !== undefined)
  .sort();
const ACCEPTED: ReadonlySet<string> = new Set(CHECKOUT_CURRENCIES);

/** How many decimals Checkout.com counts `currency` (upper case) in. */
function checkoutExponent(currency: string): number {
  if (FULL_VALUE.has(currency)) return 0;
  if (THOUSANDTHS.has(currency)) return 3;
  return 2;
}

/**
 * Canonical minor units of `currency` (upper case) as Checkout.com's `amount`, or why it cannot
 * take them exactly. Only the units: whether Checkout.com takes the currency at all is
 * `isCheckoutCurrency` (routing reads it from the capabilities' currency list).
 */
export function toCheckoutAmount(minor: number, currency: string): ProviderAmount {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return { ok: false, detail: `${currency} is not an ISO 4217 currency.` };
  const value = rescaleMinor(minor, exponent, checkoutExponent(currency));
  if (value === null || (THOUSANDTHS.has(currency) && value % 10 !== 0)) {
    const rule = THOUSANDTHS.has(currency) ? `its ${currency} amounts must end in 0` : `it counts ${currency} in ${checkoutExponent(currency)} decimals`;
    return { ok: false, detail: `Checkout.com cannot charge ${formatMinor(minor, currency)} ${currency} exactly: ${rule}.` };
  }
  if (value < 1 || value > MAX_VALUE) return { ok: false, detail: `Checkout.com takes amounts of 1 to ${MAX_VALUE} in its units; ${formatMinor(minor, currency)} ${currency} is ${value}.` };
  return { ok: true, value };
}

/** A Checkout.com `amount` in canonical minor units of `currency` (any case), or null when they cannot hold it. */
export function fromCheckoutAmount(value: number, currency: string): number | null {
  const code = currency.toUpperCase();
  const exponent = currencyExponent(code);
  if (exponent === undefined) return null;
  return rescaleMinor(value, checkoutExponent(code), exponent);
}

export function isCheckoutCurrency(currency: string): boolean {
  return ACCEPTED.has(currency);
}
