import { currencyExponent, formatMinor, rescaleMinor } from '../../src/domain/currency.js';
import type { ProviderAmount } from '../testkit/contract.js';

/*
 * PayPal's units, from "Currency codes" (developer.paypal.com/api/rest/reference/currency-codes,
 * read 2026-11-30): the REST API takes these 24 currencies; amounts are decimal strings
 * (`value`, at most 32 characters) with the currency's decimals, and "HUF, JPY and TWD do not
 * support decimals: if you pass a decimal amount, an error occurs". ISO 4217 gives HUF and TWD two
 * decimals, so a canonical HUF or TWD amount must be whole forints or dollars (a multiple of 100).
 */
export const PAYPAL_CURRENCIES: readonly string[] = [
  'AUD', 'BRL', 'CAD', 'CHF', 'CNY', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'HUF', 'ILS',
  'JPY', 'MXN', 'MYR', 'NOK', 'NZD', 'PHP', 'PLN', 'SEK', 'SGD', 'THB', 'TWD', 'USD',
];
const ACCEPTED: ReadonlySet<string> = new Set(PAYPAL_CURRENCIES);
const NO_DECIMALS: ReadonlySet<string> = new Set(['HUF', 'JPY', 'TWD']);
const MAX_VALUE_LENGTH = 32;

function paypalExponent(currency: string): number {
  return NO_DECIMALS.has(currency) ? 0 : 2;
}

export function isPayPalCurrency(currency: string): boolean {
  return ACCEPTED.has(currency);
}

/** Canonical minor units as PayPal's decimal string (`"10.00"`, `"1000"` for HUF 1000.00), or why PayPal cannot take them. */
export function toPayPalValue(minor: number, currency: string): { ok: true; value: string } | { ok: false; detail: string } {
  if (!isPayPalCurrency(currency)) return { ok: false, detail: `PayPal does not take ${currency}.` };
  const exponent = currencyExponent(currency)!;
  const units = rescaleMinor(minor, exponent, paypalExponent(currency));
  if (units === null) return { ok: false, detail: `PayPal cannot charge ${formatMinor(minor, currency)} ${currency} exactly: it counts ${currency} without decimals.` };
  if (units < 1) return { ok: false, detail: `PayPal takes positive amounts; ${formatMinor(minor, currency)} ${currency} is not.` };
  const value = formatUnits(units, paypalExponent(currency));
  if (value.length > MAX_VALUE_LENGTH) return { ok: false, detail: `PayPal amounts have at most ${MAX_VALUE_LENGTH} characters.` };
  return { ok: true, value };
}

/**
 * The contract's form: PayPal's amount as a number of its own minor units (for `amountSteps`). Only
 * the units: a currency PayPal does not take at all has no step (routing reads the currency list).
 */
export function toPayPalAmount(minor: number, currency: string): ProviderAmount {
  if (!isPayPalCurrency(currency)) return Number.isSafeInteger(minor) ? { ok: true, value: minor } : { ok: false, detail: `${minor} is not a whole number of minor units.` };
  const converted = toPayPalValue(minor, currency);
  if (!converted.ok) return converted;
  return { ok: true, value: Number(converted.value.replace('.', '')) };
}

/**
 * A PayPal `value` string in canonical minor units of `currency` (any case), or null when it is not
 * one PayPal would send (a sign, other decimals than the currency's) or canonical units cannot hold it.
 */
export function fromPayPalValue(value: string, currency: string): number | null {
  const code = currency.toUpperCase();
  const exponent = currencyExponent(code);
  if (exponent === undefined || !isPayPalCurrency(code)) return null;
  const decimals = paypalExponent(code);
  const pattern = decimals === 0 ? /^(\d{1,30})$/ : /^(\d{1,29})\.(\d{2})$/;
  const match = pattern.exec(value);
  if (!match) return null;
  const units = Number(`${match[1]}${match[2] ?? ''}`);
  if (!Number.isSafeInteger(units)) return null;
  return rescaleMinor(units, decimals, exponent);
}

function formatUnits(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const text = String(units).padStart(decimals + 1, '0');
  return `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}
