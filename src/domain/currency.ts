/**
 * ISO 4217 currencies and their minor-unit exponents, plus amount validation.
 *
 * Source: ISO 4217 "List One: Current Currency & Funds" (SIX, maintenance agency),
 * as published 12 May 2025 (amendment 179) with amendment 180 applied
 * (effective 1 January 2026) — the list in force from 2026-01-01.
 *
 * Notable recent changes reflected here:
 * - VED added next to VES (amendment 170); both exponent 2.
 * - SLE replaces SLL (SLL moved to List Three, amendments 171-175).
 * - HRK withdrawn (Croatia on EUR, amendment 174).
 * - ZWG replaces ZWL (amendment 177, 2024).
 * - CUC withdrawn (amendment 178).
 * - XCG replaces ANG from 2025-03-31 (amendment 176); ANG is no longer in List One.
 * - XAD (Arab Accounting Dinar, a fund code with minor unit 2) added (amendment 179).
 * - BGN withdrawn: Bulgaria on EUR from 2026-01-01 (amendment 180).
 *
 * Codes whose List One minor unit is "N.A." are excluded because they cannot be
 * expressed in minor units: XAG, XAU, XPD, XPT (metals), XBA-XBD (bond units),
 * XDR, XSU, XUA, XTS (testing) and XXX (no currency).
 *
 * Fund codes that do have a minor unit (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI,
 * UYW, XAD) are kept, since they are List One entries with a defined exponent.
 */

export type CurrencyCode = string;

const ZERO_DECIMAL = [
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG',
  'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
] as const;

const THREE_DECIMAL = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;

const FOUR_DECIMAL = ['CLF', 'UYW'] as const;

const TWO_DECIMAL = [
  'AED', 'AFN', 'ALL', 'AMD', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BMD', 'BND',
  'BOB', 'BOV', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHE', 'CHF', 'CHW', 'CNY',
  'COP', 'COU', 'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD',
  'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS',
  'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL',
  'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MXV', 'MYR',
  'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'QAR',
  'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'SSP',
  'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD',
  'USN', 'UYU', 'UZS', 'VED', 'VES', 'WST', 'XAD', 'XCD', 'XCG', 'YER', 'ZAR', 'ZMW', 'ZWG',
] as const;

function buildTable(): ReadonlyMap<string, number> {
  const table = new Map<string, number>();
  const groups: ReadonlyArray<readonly [readonly string[], number]> = [
    [ZERO_DECIMAL, 0],
    [TWO_DECIMAL, 2],
    [THREE_DECIMAL, 3],
    [FOUR_DECIMAL, 4],
  ];
  for (const [codes, exponent] of groups) {
    for (const code of codes) {
      if (table.has(code)) throw new Error(`duplicate currency ${code}`);
      table.set(code, exponent);
    }
  }
  return table;
}

/** Every supported currency code mapped to its ISO 4217 minor-unit exponent. */
export const CURRENCY_EXPONENTS: ReadonlyMap<string, number> = buildTable();

export function currencyExponent(code: string): number | undefined {
  return CURRENCY_EXPONENTS.get(code);
}

/** Exact, case-sensitive match: "usd" is not a currency. */
export function isCurrency(code: string): boolean {
  return CURRENCY_EXPONENTS.has(code);
}

/** Upper bound for any single amount: one billion major units (exclusive). */
export const MAX_AMOUNT_MAJOR_UNITS = 1_000_000_000;

/**
 * Largest accepted amount in minor units: 10^9 major units minus one minor unit.
 * The biggest exponent (4) gives 10^13 - 1, far below Number.MAX_SAFE_INTEGER.
 * Throws for an unknown currency so callers cannot silently get a bogus limit.
 */
export function maxAmountMinor(code: string): number {
  const exponent = currencyExponent(code);
  if (exponent === undefined) throw new RangeError(`unknown currency: ${code}`);
  return MAX_AMOUNT_MAJOR_UNITS * 10 ** exponent - 1;
}

export type AmountError = 'not_integer' | 'not_positive' | 'too_large' | 'unknown_currency';

export type AmountValidation = { ok: true; amount: number } | { ok: false; reason: AmountError };

/** An amount is a positive integer number of minor units, at most maxAmountMinor(currency). */
export function validateAmount(amount: unknown, currency: string): AmountValidation {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return { ok: false, reason: 'unknown_currency' };
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    return { ok: false, reason: 'not_integer' };
  }
  if (amount <= 0) return { ok: false, reason: 'not_positive' };
  // Also rejects integers beyond MAX_SAFE_INTEGER, since the limit is far below it.
  if (amount > maxAmountMinor(currency)) return { ok: false, reason: 'too_large' };
  return { ok: true, amount };
}

/**
 * Minor units to a plain major-unit decimal string, without grouping or symbols:
 * (1999, USD) -> "19.99", (500, JPY) -> "500", (1234, KWD) -> "1.234", (-5, USD) -> "-0.05".
 * Built from digits rather than division so no floating-point rounding can occur.
 */
export function formatMinor(amount: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency: ${currency}`);
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be a safe integer: ${amount}`);
  const sign = amount < 0 ? '-' : '';
  const digits = String(Math.abs(amount));
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, -exponent);
  const fraction = padded.slice(-exponent);
  return `${sign}${whole}.${fraction}`;
}

/**
 * The same amount counted with another number of decimals, exactly, or null when it cannot be:
 * (1999, 2, 0) -> null (19.99 has cents), (1900, 2, 0) -> 19, (5, 0, 2) -> 500. Providers count
 * some currencies with other decimals than ISO 4217 (adapters/<provider>/amounts.ts).
 */
export function rescaleMinor(amount: number, fromExponent: number, toExponent: number): number | null {
  if (!Number.isSafeInteger(amount)) return null;
  if (toExponent >= fromExponent) {
    const scaled = amount * 10 ** (toExponent - fromExponent);
    return Number.isSafeInteger(scaled) ? scaled : null;
  }
  const divisor = 10 ** (fromExponent - toExponent);
  return amount % divisor === 0 ? amount / divisor : null;
}
