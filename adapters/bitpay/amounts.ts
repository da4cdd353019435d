/**
 * BitPay's units. An invoice's `price` is a decimal number in major units of its fiat currency
 * (10.5 USD); we send it from canonical minor units with the ISO 4217 exponent, and read it back
 * the same way. The crypto side (`paymentTotals`, `paymentSubtotals`, `amountPaid`) is reported as
 * integers in the coin's smallest unit: satoshis for BTC, BCH and LTC, koinu for DOGE (1e-8 each).
 */
import { CURRENCY_EXPONENTS } from '../../src/domain/currency.js';
import { CRYPTO_CURRENCIES, CRYPTO_PRICE_CURRENCIES, type CryptoCurrency } from '../../src/domain/payment-method.js';
import type { ProviderAmount } from '../testkit/contract.js';

/** The fiat currencies the adapter prices invoices in (the domain's list: crypto has one gateway). */
export const BITPAY_PRICE_CURRENCIES: readonly string[] = CRYPTO_PRICE_CURRENCIES;

/** `price` for an amount in canonical minor units. Every exponent here is 0 or 2, so the decimal is exact. */
export function toBitPayPrice(minor: number, currency: string): ProviderAmount {
  const exponent = CURRENCY_EXPONENTS.get(currency);
  if (exponent === undefined || !BITPAY_PRICE_CURRENCIES.includes(currency)) return { ok: false, detail: `BitPay prices no invoice in ${currency}.` };
  if (!Number.isSafeInteger(minor) || minor <= 0) return { ok: false, detail: 'The amount must be a positive integer of minor units.' };
  return { ok: true, value: Number((minor / 10 ** exponent).toFixed(exponent)) };
}

/** Canonical minor units of a `price` BitPay answered, or null when it has more decimals than the currency. */
export function fromBitPayPrice(price: unknown, currency: string): number | null {
  const exponent = CURRENCY_EXPONENTS.get(currency);
  if (exponent === undefined || typeof price !== 'number' || !Number.isFinite(price) || price < 0) return null;
  const minor = Math.round(price * 10 ** exponent);
  return Math.abs(minor / 10 ** exponent - price) < 1e-9 && Number.isSafeInteger(minor) ? minor : null;
}

export function isCryptoCurrency(code: unknown): code is CryptoCurrency {
  return typeof code === 'string' && (CRYPTO_CURRENCIES as readonly string[]).includes(code);
}

/** A coin amount as BitPay reports it: a non-negative integer of the coin's smallest unit. */
export function coinAmount(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}
