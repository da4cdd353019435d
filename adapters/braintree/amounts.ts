import { currencyExponent, formatMinor } from '../../src/domain/currency.js';

/** Braintree takes and gives amounts as decimal strings in major units ("19.99", "500" for JPY). */
export function toBraintreeAmount(minor: number, currency: string): string {
  return formatMinor(minor, currency);
}

/**
 * A Braintree decimal amount in minor units of `currency`, or null when it is not a plain
 * non-negative decimal the currency can hold. Trailing zeros beyond the exponent are accepted
 * ("250.0" for USD, "100.00" for JPY); other digits there are not. Built from digits, not floats.
 */
export function fromBraintreeAmount(text: string, currency: string): number | null {
  const exponent = currencyExponent(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (exponent === undefined || !match) return null;
  const fraction = match[2] ?? '';
  if (!/^0*$/.test(fraction.slice(exponent))) return null;
  const minor = Number(match[1]! + fraction.slice(0, exponent).padEnd(exponent, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}
