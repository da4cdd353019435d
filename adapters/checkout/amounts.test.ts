import { describe, expect, it } from 'vitest';
import { CHECKOUT_CAPABILITIES } from './adapter.js';
import { fromCheckoutAmount, isCheckoutCurrency, toCheckoutAmount } from './amounts.js';

// Every row of Checkout.com's "Format the amount value" that differs from plain hundredths, and some that do not.
describe('toCheckoutAmount and fromCheckoutAmount', () => {
  it.each([
    // [currency, canonical minor units (ISO 4217), Checkout.com amount]
    ['USD', 1999, 1999],
    ['GBP', 50, 50],
    ['JPY', 500, 500],
    ['KRW', 1000, 1000],
    ['ISK', 1234, 1234],
    ['UGX', 3700, 3700],
    ['XOF', 700, 700],
    // CLP: no decimals in ISO 4217, divided by 100 at Checkout.com.
    ['CLP', 990, 99000],
    // Three-decimal currencies whose last digit is 0.
    ['KWD', 5120, 5120],
    ['BHD', 10, 10],
    ['IQD', 1000, 1000],
    ['LYD', 990, 990],
    // Two-decimal in ISO and at Checkout.com.
    ['IDR', 1050, 1050],
    ['HUF', 1045, 1045],
  ])('%s %i is %i at Checkout.com, and back', (currency, minor, checkout) => {
    expect(toCheckoutAmount(minor, currency)).toEqual({ ok: true, value: checkout });
    expect(fromCheckoutAmount(checkout, currency.toLowerCase())).toBe(minor);
  });

  it.each([
    ['KWD', 5124, 'must end in 0'],
    ['BHD', 1, 'must end in 0'],
    ['OMR', 999, 'must end in 0'],
    // CLF has four decimals in ISO 4217; Checkout.com counts it in two.
    ['CLF', 12345, 'in 2 decimals'],
    ['XYZ', 100, 'not an ISO 4217 currency'],
  ])('refuses %s %i (%s)', (currency, minor, why) => {
    const value = toCheckoutAmount(minor, currency);
    expect(value.ok).toBe(false);
    if (!value.ok) expect(value.detail).toContain(why);
  });

  it('refuses more than nine digits in Checkout.com units, and nothing below one', () => {
    expect(toCheckoutAmount(999_999_999, 'USD')).toEqual({ ok: true, value: 999_999_999 });
    expect(toCheckoutAmount(1_000_000_000, 'USD').ok).toBe(false);
    // 10,000,000 pesos are 1,000,000,000 at Checkout.com: ten digits.
    expect(toCheckoutAmount(10_000_000, 'CLP').ok).toBe(false);
    expect(toCheckoutAmount(0, 'USD').ok).toBe(false);
  });

  it('reads back only what canonical units can hold', () => {
    expect(fromCheckoutAmount(99050, 'CLP')).toBeNull();
    expect(fromCheckoutAmount(100, 'XYZ')).toBeNull();
  });

  it('takes the currencies of the SDK\'s table that ISO 4217 knows', () => {
    expect(isCheckoutCurrency('EUR')).toBe(true);
    expect(isCheckoutCurrency('CLP')).toBe(true);
    expect(isCheckoutCurrency('XYZ')).toBe(false);
    expect(CHECKOUT_CAPABILITIES.currencies).toContain('GBP');
  });

  it('declares the steps routing must respect: three-decimal amounts ending in 0, CLF in hundredths', () => {
    expect(CHECKOUT_CAPABILITIES.amountSteps).toMatchObject({ KWD: 10, BHD: 10, TND: 10, CLF: 100 });
    expect(CHECKOUT_CAPABILITIES.amountSteps['USD']).toBeUndefined();
    expect(CHECKOUT_CAPABILITIES.amountSteps['CLP']).toBeUndefined();
  });
});
