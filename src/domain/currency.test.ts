import { describe, expect, it } from 'vitest';
import {
  CURRENCY_EXPONENTS,
  MAX_AMOUNT_MAJOR_UNITS,
  currencyExponent,
  formatMinor,
  isCurrency,
  maxAmountMinor,
  rescaleMinor,
  validateAmount,
} from './currency';

describe('currency table', () => {
  const codes = [...CURRENCY_EXPONENTS.keys()];

  it('has more than 150 entries, all three upper-case letters', () => {
    expect(codes.length).toBeGreaterThan(150);
    for (const code of codes) expect(code).toMatch(/^[A-Z]{3}$/);
  });

  it('has no duplicates', () => {
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('only uses exponents 0, 2, 3 or 4', () => {
    for (const exponent of CURRENCY_EXPONENTS.values()) expect([0, 2, 3, 4]).toContain(exponent);
  });

  it.each([
    ['USD', 2], ['EUR', 2], ['GBP', 2], ['CHF', 2], ['INR', 2], ['MGA', 2], ['MRU', 2],
    ['JPY', 0], ['KRW', 0], ['ISK', 0], ['VND', 0], ['CLP', 0], ['PYG', 0], ['UGX', 0],
    ['XOF', 0], ['XAF', 0], ['XPF', 0], ['KMF', 0], ['DJF', 0], ['GNF', 0], ['RWF', 0],
    ['VUV', 0], ['BIF', 0], ['UYI', 0],
    ['KWD', 3], ['BHD', 3], ['JOD', 3], ['OMR', 3], ['TND', 3], ['LYD', 3], ['IQD', 3],
    ['CLF', 4], ['UYW', 4],
    ['VES', 2], ['VED', 2], ['SLE', 2], ['ZWG', 2], ['XCG', 2], ['STN', 2], ['XAD', 2],
  ])('%s has exponent %i', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it.each(['XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XSU', 'XUA', 'XBA', 'XBB', 'XBC', 'XBD', 'XTS', 'XXX'])(
    'excludes %s (no minor unit)',
    (code) => {
      expect(isCurrency(code)).toBe(false);
      expect(currencyExponent(code)).toBeUndefined();
    },
  );

  it.each(['ANG', 'SLL', 'HRK', 'ZWL', 'CUC', 'VEF', 'MRO', 'STD', 'BGN'])(
    'excludes withdrawn code %s',
    (code) => {
      expect(isCurrency(code)).toBe(false);
    },
  );
});

describe('isCurrency', () => {
  it('accepts exact upper-case codes only', () => {
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('Usd')).toBe(false);
    expect(isCurrency(' USD')).toBe(false);
    expect(isCurrency('USDT')).toBe(false);
    expect(isCurrency('')).toBe(false);
    expect(isCurrency('ZZZ')).toBe(false);
  });

  it('is not fooled by object prototype keys', () => {
    expect(isCurrency('constructor')).toBe(false);
    expect(isCurrency('__proto__')).toBe(false);
  });
});

describe('maxAmountMinor', () => {
  it('is one billion major units minus one minor unit', () => {
    expect(MAX_AMOUNT_MAJOR_UNITS).toBe(1_000_000_000);
    expect(maxAmountMinor('USD')).toBe(99_999_999_999);
    expect(maxAmountMinor('JPY')).toBe(999_999_999);
    expect(maxAmountMinor('KWD')).toBe(999_999_999_999);
    expect(maxAmountMinor('CLF')).toBe(9_999_999_999_999);
  });

  it('stays a safe integer for every currency', () => {
    for (const code of CURRENCY_EXPONENTS.keys()) {
      expect(Number.isSafeInteger(maxAmountMinor(code))).toBe(true);
      expect(maxAmountMinor(code)).toBeLessThan(Number.MAX_SAFE_INTEGER);
    }
  });

  it('throws for an unknown currency', () => {
    expect(() => maxAmountMinor('ZZZ')).toThrow(RangeError);
  });
});

describe('validateAmount', () => {
  it('accepts a positive integer', () => {
    expect(validateAmount(1, 'USD')).toEqual({ ok: true, amount: 1 });
    expect(validateAmount(1999, 'USD')).toEqual({ ok: true, amount: 1999 });
  });

  it.each([
    [0, 'not_positive'],
    [-0, 'not_positive'],
    [-1, 'not_positive'],
    [-(2 ** 53), 'not_positive'],
    [1.5, 'not_integer'],
    [NaN, 'not_integer'],
    [Infinity, 'not_integer'],
    [-Infinity, 'not_integer'],
    ['100', 'not_integer'],
    ['', 'not_integer'],
    [null, 'not_integer'],
    [undefined, 'not_integer'],
    [100n, 'not_integer'],
    [{}, 'not_integer'],
    [2 ** 53, 'too_large'],
    [Number.MAX_VALUE, 'too_large'],
  ])('rejects %s as %s', (amount, reason) => {
    expect(validateAmount(amount, 'USD')).toEqual({ ok: false, reason });
  });

  it('reports unknown currencies, including lower-case codes', () => {
    expect(validateAmount(100, 'ZZZ')).toEqual({ ok: false, reason: 'unknown_currency' });
    expect(validateAmount(100, 'usd')).toEqual({ ok: false, reason: 'unknown_currency' });
    expect(validateAmount(100, 'XAU')).toEqual({ ok: false, reason: 'unknown_currency' });
  });

  it.each(['JPY', 'USD', 'KWD', 'CLF'])('accepts the max and rejects max+1 for %s', (code) => {
    const max = maxAmountMinor(code);
    expect(validateAmount(max, code)).toEqual({ ok: true, amount: max });
    expect(validateAmount(max + 1, code)).toEqual({ ok: false, reason: 'too_large' });
  });
});

describe('formatMinor', () => {
  it.each([
    [1999, 'USD', '19.99'],
    [1, 'USD', '0.01'],
    [10, 'USD', '0.10'],
    [100, 'USD', '1.00'],
    [0, 'USD', '0.00'],
    [-5, 'USD', '-0.05'],
    [500, 'JPY', '500'],
    [1234, 'KWD', '1.234'],
    [5, 'KWD', '0.005'],
    [12345, 'CLF', '1.2345'],
    [99_999_999_999, 'USD', '999999999.99'],
    [9_999_999_999_999, 'CLF', '999999999.9999'],
  ])('formats %i %s as %s', (amount, currency, expected) => {
    expect(formatMinor(amount, currency)).toBe(expected);
  });

  it('rejects unknown currencies and non-integers', () => {
    expect(() => formatMinor(100, 'ZZZ')).toThrow(RangeError);
    expect(() => formatMinor(1.5, 'USD')).toThrow(RangeError);
    expect(() => formatMinor(2 ** 53, 'USD')).toThrow(RangeError);
  });
});

describe('rescaleMinor', () => {
  it('adds decimals by multiplying', () => {
    expect(rescaleMinor(5, 0, 2)).toBe(500);
    expect(rescaleMinor(123, 0, 2)).toBe(12300);
    expect(rescaleMinor(1999, 2, 2)).toBe(1999);
  });

  it('drops decimals only when they are all zero', () => {
    expect(rescaleMinor(1900, 2, 0)).toBe(19);
    expect(rescaleMinor(1999, 2, 0)).toBeNull();
    expect(rescaleMinor(1230, 3, 2)).toBe(123);
    expect(rescaleMinor(1234, 3, 2)).toBeNull();
  });

  it('refuses what is not a safe integer before or after', () => {
    expect(rescaleMinor(1.5, 2, 2)).toBeNull();
    expect(rescaleMinor(Number.MAX_SAFE_INTEGER, 0, 2)).toBeNull();
  });
});
