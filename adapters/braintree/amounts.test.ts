import { describe, expect, it } from 'vitest';
import { fromBraintreeAmount, toBraintreeAmount } from './amounts.js';

describe('Braintree amounts', () => {
  it.each([
    [1999, 'USD', '19.99'],
    [500, 'JPY', '500'],
    [1234, 'KWD', '1.234'],
    [5, 'EUR', '0.05'],
  ])('%i %s ↔ %s', (minor, currency, text) => {
    expect(toBraintreeAmount(minor, currency)).toBe(text);
    expect(fromBraintreeAmount(text, currency)).toBe(minor);
  });

  it('reads the shapes Braintree sends: fewer decimals, or zeros beyond the exponent', () => {
    expect(fromBraintreeAmount('100', 'USD')).toBe(10000);
    expect(fromBraintreeAmount('250.0', 'USD')).toBe(25000);
    expect(fromBraintreeAmount('100.00', 'JPY')).toBe(100);
  });

  it.each([['1.001', 'USD'], ['-1.00', 'USD'], ['1e3', 'USD'], ['', 'USD'], ['1.5', 'JPY'], ['1.00', 'XXX'], ['99999999999999999', 'USD']])(
    'refuses %j in %s',
    (text, currency) => {
      expect(fromBraintreeAmount(text, currency)).toBeNull();
    },
  );
});
