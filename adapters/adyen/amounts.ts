import { currencyExponent, formatMinor, rescaleMinor } from '../../src/domain/currency.js';
import type { ProviderAmount } from '../testkit/contract.js';

/*
 * Adyen's units, from https://docs.adyen.com/development-resources/currency-codes ("Currency codes
 * and minor units"): amounts are minor units by Adyen's own table, which is leading where it
 * differs from ISO 4217. The rows it marks as differing:
 * - CLP: 2 decimals (ISO 0), read on the page itself.
 * - CVE: 0 decimals (ISO 2), read on the page itself.
 * - IDR: 0 decimals (ISO 2) and ISK: 2 decimals (ISO 0): Adyen's note names CLP, CVE, IDR and ISK as
 *   the differing ones, but these two rows were read in copies of the table (a white-label copy of
 *   the page and two projects' transcriptions), not on the page itself; check them there when it
 *   can be reached.
 * Every other currency Adyen lists has its ISO 4217 decimals. A currency Adyen does not list is sent
 * in ISO units, and Adyen refuses it itself (a 422 before anything is charged).
 */
const ADYEN_EXPONENTS: Readonly<Record<string, number>> = { CLP: 2, CVE: 0, IDR: 0, ISK: 2 };

/** Canonical minor units of `currency` (upper case) as Adyen's `amount.value`, or why Adyen cannot take them. */
export function toAdyenAmount(minor: number, currency: string): ProviderAmount {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return { ok: false, detail: `${currency} is not an ISO 4217 currency.` };
  const adyen = ADYEN_EXPONENTS[currency] ?? exponent;
  const value = rescaleMinor(minor, exponent, adyen);
  if (value === null) {
    return { ok: false, detail: `Adyen cannot charge ${formatMinor(minor, currency)} ${currency} exactly: it counts ${currency} in ${adyen} decimals.` };
  }
  return { ok: true, value };
}

/** An Adyen `amount.value` in canonical minor units of `currency`, or null when they cannot hold it. */
export function fromAdyenAmount(value: number, currency: string): number | null {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return null;
  return rescaleMinor(value, ADYEN_EXPONENTS[currency] ?? exponent, exponent);
}
