import { describe, expect, it } from 'vitest';
import { ADYEN_CAPABILITIES } from './adapter.js';
import { fromAdyenAmount, toAdyenAmount } from './amounts.js';

// Rows from https://docs.adyen.com/development-resources/currency-codes (see amounts.ts for which were read where).
describe('toAdyenAmount and fromAdyenAmount', () => {
  it.each([
    // [currency, canonical minor units (ISO 4217), Adyen value]
    ['USD', 1999, 1999],
    ['EUR', 1, 1],
    ['JPY', 500, 500],
    ['KWD', 5124, 5124],
    ['BHD', 1, 1],
    ['HUF', 1045, 1045],
    ['UGX', 3700, 3700],
    // Adyen's rows that differ from ISO 4217.
    ['CLP', 990, 99000],
    ['ISK', 5, 500],
    ['CVE', 12300, 123],
    ['IDR', 1500000, 15000],
  ])('%s %i is %i at Adyen, and back', (currency, minor, adyen) => {
    expect(toAdyenAmount(minor, currency)).toEqual({ ok: true, value: adyen });
    expect(fromAdyenAmount(adyen, currency)).toBe(minor);
  });

  it.each([
    ['CVE', 12345],
    ['CVE', 1],
    ['IDR', 1500050],
  ])('refuses %s %i: Adyen takes whole units of it only', (currency, minor) => {
    const converted = toAdyenAmount(minor, currency);
    expect(converted.ok).toBe(false);
    if (!converted.ok) expect(converted.detail).toContain(`counts ${currency} in 0 decimals`);
  });

  it('refuses a code that is not a currency, and cannot read CLP or ISK with fractions', () => {
    expect(toAdyenAmount(100, 'CNH').ok).toBe(false);
    expect(fromAdyenAmount(100, 'CNH')).toBeNull();
    expect(fromAdyenAmount(99050, 'CLP')).toBeNull();
    expect(fromAdyenAmount(550, 'ISK')).toBeNull();
  });
});

describe('ADYEN_CAPABILITIES.amountSteps', () => {
  it('names CVE and IDR, which Adyen takes in whole units only, so routing skips Adyen up front', () => {
    expect(ADYEN_CAPABILITIES.amountSteps).toEqual({ CVE: 100, IDR: 100 });
  });
});
