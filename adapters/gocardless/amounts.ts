import type { ProviderAmount } from '../testkit/contract.js';

/**
 * GoCardless' currencies (developer.gocardless.com/api-reference, "Payments: currency"): EUR, GBP,
 * USD, SEK, DKK, AUD, NZD, CAD. `amount` is an integer in the currency's lowest denomination
 * (cents, pence, öre, øre), which is each one's ISO 4217 minor unit (exponent 2 for all eight).
 */
export const GOCARDLESS_CURRENCIES = ['AUD', 'CAD', 'DKK', 'EUR', 'GBP', 'NZD', 'SEK', 'USD'] as const;

/** The upper bound GoCardless sets for one payment, in minor units. */
const MAX_AMOUNT = 2_147_483_647;

/** Canonical minor units as GoCardless' `amount`, or why GoCardless cannot take them. */
export function toGoCardlessAmount(minor: number, currency: string): ProviderAmount {
  if (!(GOCARDLESS_CURRENCIES as readonly string[]).includes(currency)) return { ok: false, detail: `GoCardless does not collect ${currency}.` };
  return goCardlessUnits(minor);
}

/** The units alone (every GoCardless currency counts in its ISO minor unit), whatever the currency: what `amountSteps` reads. */
export function goCardlessUnits(minor: number): ProviderAmount {
  if (!Number.isInteger(minor) || minor < 1 || minor > MAX_AMOUNT) return { ok: false, detail: `GoCardless takes amounts of 1 to ${MAX_AMOUNT} minor units.` };
  return { ok: true, value: minor };
}
