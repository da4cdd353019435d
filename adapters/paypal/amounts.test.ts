import { describe, expect, it } from 'vitest';
import { amountSteps } from '../testkit/contract.js';
import { fromPayPalValue, toPayPalAmount, toPayPalValue } from './amounts.js';

describe('PayPal amounts', () => {
  it.each([
    [1000, 'USD', '10.00'],
    [1, 'EUR', '0.01'],
    [123_456_789, 'GBP', '1234567.89'],
    [500, 'JPY', '500'],
    [150_000, 'HUF', '1500'],
    [10_000, 'TWD', '100'],
  ])('%i %s is sent as %s and read back the same', (minor, currency, value) => {
    expect(toPayPalValue(minor, currency)).toEqual({ ok: true, value });
    expect(fromPayPalValue(value, currency)).toBe(minor);
  });

  it.each([
    [150_001, 'HUF'],
    [10_050, 'TWD'],
  ])('refuses %i %s: PayPal takes no decimals for it', (minor, currency) => {
    expect(toPayPalValue(minor, currency)).toMatchObject({ ok: false, detail: expect.stringContaining('without decimals') });
  });

  it('refuses a currency PayPal does not take, zero and negative amounts', () => {
    expect(toPayPalValue(1000, 'KWD')).toMatchObject({ ok: false, detail: 'PayPal does not take KWD.' });
    expect(toPayPalValue(0, 'USD').ok).toBe(false);
    expect(toPayPalValue(-5, 'USD').ok).toBe(false);
  });

  it('reads back only what PayPal would send', () => {
    expect(fromPayPalValue('10.0', 'USD')).toBeNull();
    expect(fromPayPalValue('10.000', 'USD')).toBeNull();
    expect(fromPayPalValue('-1.00', 'USD')).toBeNull();
    expect(fromPayPalValue('15.50', 'HUF')).toBeNull();
    expect(fromPayPalValue('10.00', 'XYZ')).toBeNull();
    expect(fromPayPalValue('10.00', 'usd')).toBe(1000);
  });

  it('names the steps routing must respect: whole forints and New Taiwan dollars', () => {
    expect(amountSteps(toPayPalAmount)).toEqual({ HUF: 100, TWD: 100 });
  });
});
