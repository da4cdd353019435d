import { describe, expect, it } from 'vitest';
import { fromStripeAmount, toStripeAmount } from './amounts.js';
import { STRIPE_CAPABILITIES } from './capabilities.js';

// Every row from https://docs.stripe.com/currencies (zero-decimal, three-decimal, special cases).
describe('toStripeAmount and fromStripeAmount', () => {
  it.each([
    // [currency, canonical minor units (ISO 4217), Stripe amount]
    ['USD', 1999, 1999],
    ['EUR', 50, 50],
    ['JPY', 500, 500],
    ['KRW', 1000, 1000],
    ['CLP', 990, 990],
    ['VND', 25000, 25000],
    ['XOF', 700, 700],
    // ISK and UGX: zero-decimal in ISO, sent in two decimals ending in 00.
    ['ISK', 5, 500],
    ['ISK', 1234, 123400],
    ['UGX', 3700, 370000],
    // MGA: two-decimal in ISO, zero-decimal at Stripe.
    ['MGA', 12300, 123],
    // Three-decimal currencies whose last digit is 0.
    ['KWD', 5120, 5120],
    ['BHD', 10, 10],
    ['JOD', 1000, 1000],
    ['OMR', 990, 990],
    ['TND', 12340, 12340],
    // HUF and TWD: two-decimal for charges (zero-decimal only for payouts).
    ['HUF', 1045, 1045],
    ['TWD', 80045, 80045],
  ])('%s %i is %i at Stripe, and back', (currency, minor, stripe) => {
    expect(toStripeAmount(minor, currency)).toEqual({ ok: true, value: stripe });
    expect(fromStripeAmount(stripe, currency.toLowerCase())).toBe(minor);
  });

  it.each([
    ['KWD', 5124, 'must end in 0'],
    ['BHD', 1, 'must end in 0'],
    ['TND', 999, 'must end in 0'],
    ['MGA', 12345, 'whole units of MGA'],
    ['MGA', 1, 'whole units of MGA'],
  ])('refuses %s %i, which Stripe cannot charge exactly', (currency, minor, rule) => {
    const converted = toStripeAmount(minor, currency);
    expect(converted.ok).toBe(false);
    if (!converted.ok) expect(converted.detail).toContain(rule);
  });

  it('refuses a code that is not a currency', () => {
    expect(toStripeAmount(100, 'XXX').ok).toBe(false);
    expect(fromStripeAmount(100, 'xxx')).toBeNull();
  });

  it('cannot read an ISK amount with fractions of a króna (Stripe refuses to create one)', () => {
    expect(fromStripeAmount(550, 'isk')).toBeNull();
    expect(fromStripeAmount(550, 'usd')).toBe(550);
  });
});

describe('STRIPE_CAPABILITIES.amountSteps', () => {
  it('names every currency whose canonical amounts Stripe takes only in steps, so routing skips Stripe up front', () => {
    expect(STRIPE_CAPABILITIES.amountSteps).toEqual({
      MGA: 100,
      BHD: 10, JOD: 10, KWD: 10, OMR: 10, TND: 10,
      // Three-decimal in ISO but not in Stripe's list: two decimals there.
      IQD: 10, LYD: 10,
      // Four-decimal funds codes, two decimals at Stripe.
      CLF: 100, UYW: 100,
    });
  });
});
