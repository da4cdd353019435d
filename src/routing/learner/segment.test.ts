import { describe, expect, it } from 'vitest';
import { amountBand, segmentOf } from './segment.js';

describe('amount bands', () => {
  it.each([
    [999, 'USD', 'under_10'],
    [1000, 'USD', 'under_100'],
    [99_999, 'USD', 'under_1000'],
    [100_000, 'USD', 'from_1000'],
    [9, 'JPY', 'under_10'],
    [500, 'JPY', 'under_1000'],
    [5000, 'JPY', 'from_1000'],
    [9_999, 'KWD', 'under_10'],
    [10_000, 'KWD', 'under_100'],
  ] as const)('%i minor units of %s is %s', (amount, currency, band) => {
    expect(amountBand(amount, currency)).toBe(band);
  });

  it('refuses an unknown currency', () => {
    expect(() => amountBand(100, 'XYZ')).toThrow(RangeError);
  });

  it('builds a segment from payment facts', () => {
    expect(segmentOf({ paymentMethod: 'card', network: 'visa', currency: 'EUR', issuerCountry: 'FR', amount: 4_500 })).toEqual({
      paymentMethod: 'card',
      network: 'visa',
      currency: 'EUR',
      issuerCountry: 'FR',
      amountBand: 'under_100',
    });
  });
});
