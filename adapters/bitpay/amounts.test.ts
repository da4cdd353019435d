import { describe, expect, it } from 'vitest';
import { coinAmount, fromBitPayPrice, toBitPayPrice } from './amounts.js';

describe('BitPay amounts', () => {
  it.each([
    [2500, 'USD', 25],
    [1999, 'EUR', 19.99],
    [1, 'GBP', 0.01],
    [500, 'JPY', 500],
  ])('%i minor units of %s are price %d, and back', (minor, currency, price) => {
    expect(toBitPayPrice(minor, currency)).toEqual({ ok: true, value: price });
    expect(fromBitPayPrice(price, currency)).toBe(minor);
  });

  it('refuses a currency BitPay does not price and amounts that are not positive integers', () => {
    expect(toBitPayPrice(100, 'SEK').ok).toBe(false);
    expect(toBitPayPrice(0, 'USD').ok).toBe(false);
    expect(toBitPayPrice(1.5, 'USD').ok).toBe(false);
  });

  it('reads back no price with more decimals than its currency', () => {
    expect(fromBitPayPrice(10.005, 'USD')).toBeNull();
    expect(fromBitPayPrice(0.5, 'JPY')).toBeNull();
    expect(fromBitPayPrice('10', 'USD')).toBeNull();
  });

  it('coin amounts are non-negative safe integers of the smallest unit', () => {
    expect(coinAmount(41_700)).toBe(41_700);
    expect(coinAmount(0.5)).toBeNull();
    expect(coinAmount(-1)).toBeNull();
    expect(coinAmount(2 ** 60)).toBeNull();
  });
});
