import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAYMENT_METHOD_TYPES } from '../../domain/payment-method.js';
import { formatError } from '../rules/source.js';
import { parseFeeSchedules } from './parse.js';
import { feeFor, percentOf, type FeeSchedule, type FeeTransaction } from './schedule.js';

const shipped = parseFeeSchedules(readFileSync(new URL('../../../routing-rules/fees.yaml', import.meta.url), 'utf8'), 'fees.yaml');
if ('errors' in shipped) throw new Error(shipped.errors.map(formatError).join('\n'));
const schedule = (name: string): FeeSchedule => shipped.schedules.get(name)!;

function payment(amount: number, currency: string, card: Partial<FeeTransaction['card']> = {}): FeeTransaction {
  return { amount, currency, card: { network: 'visa', type: 'credit', issuerCountry: 'US', ...card } };
}

/** A bank debit or PayPal payment: no card network, no issuer. */
function byMethod(paymentMethod: FeeTransaction['paymentMethod'], amount: number, currency: string): FeeTransaction {
  return { amount, currency, paymentMethod, card: { network: 'unknown', type: null, issuerCountry: null } };
}

describe('percentOf rounds half up, exactly', () => {
  it.each([
    [50, 100, 1], //     50 × 1%    = 0.5  → 1
    [49, 100, 0], //     49 × 1%    = 0.49 → 0
    [150, 100, 2], //   150 × 1%    = 1.5  → 2
    [1999, 290, 58], // 1999 × 2.9% = 57.971 → 58
    [0, 290, 0],
  ])('%i × %i bps = %i', (amount, bps, fee) => expect(percentOf(amount, bps)).toBe(fee));

  it('stays exact for the largest amounts, where amount × bps would exceed 2^53', () => {
    const amount = 9_999_999_999_999;
    const exact = (BigInt(amount) * 290n * 2n + 10_000n) / 20_000n;
    expect(percentOf(amount, 290)).toBe(Number(exact));
  });
});

describe('feeFor with the shipped (illustrative) schedules', () => {
  it('stripe, 100.00 USD, US card: 10000 × 2.9% = 290, + 30 = 320', () => {
    expect(feeFor(schedule('stripe'), payment(10_000, 'USD'))).toBe(320);
  });

  it('stripe, 19.99 USD, US card: 1999 × 2.9% = 57.971 → 58, + 30 = 88', () => {
    expect(feeFor(schedule('stripe'), payment(1999, 'USD'))).toBe(88);
  });

  it('stripe, 19.99 USD, GB card: 2.9% + 1.5% cross-border = 4.4%; 1999 × 4.4% = 87.956 → 88, + 30 = 118', () => {
    expect(feeFor(schedule('stripe'), payment(1999, 'USD', { issuerCountry: 'GB' }))).toBe(118);
  });

  it('stripe, 100.00 EUR, DE card: 1.5% + 1.5% cross-border = 3%; 10000 × 3% = 300, + 25 = 325 (EUR settles, no FX)', () => {
    expect(feeFor(schedule('stripe'), payment(10_000, 'EUR', { issuerCountry: 'DE' }))).toBe(325);
  });

  it('stripe, 50.00 GBP, GB card: 1.5% + 1.5% cross-border + 1% FX = 4%; 5000 × 4% = 200, + 20 = 220', () => {
    expect(feeFor(schedule('stripe'), payment(5000, 'GBP', { issuerCountry: 'GB' }))).toBe(220);
  });

  it('stripe, 100.00 USD, US Amex: the network price 3.5%; 10000 × 3.5% = 350, + 30 = 380', () => {
    expect(feeFor(schedule('stripe'), payment(10_000, 'USD', { network: 'amex' }))).toBe(380);
  });

  it('adyen, 100.00 EUR, NL debit: the debit price 0.8%; 10000 × 0.8% = 80, + 11 = 91', () => {
    expect(feeFor(schedule('adyen'), payment(10_000, 'EUR', { type: 'debit', issuerCountry: 'NL' }))).toBe(91);
  });

  it('adyen, 100.00 EUR, NL Amex debit: the network price wins over the card type; 10000 × 3% = 300, + 11 = 311', () => {
    expect(feeFor(schedule('adyen'), payment(10_000, 'EUR', { network: 'amex', type: 'debit', issuerCountry: 'NL' }))).toBe(311);
  });

  it('adyen, 100.00 EUR, unknown issuer country: treated as domestic; 10000 × 0.95% = 95, + 11 = 106', () => {
    expect(feeFor(schedule('adyen'), payment(10_000, 'EUR', { issuerCountry: null }))).toBe(106);
  });

  it('braintree, 19.99 USD, US card: 1999 × 2.59% = 51.7741 → 52, + 49 = 101', () => {
    expect(feeFor(schedule('braintree'), payment(1999, 'USD'))).toBe(101);
  });

  it('braintree, 10.00 EUR, FR card: 2.59% + 1% cross-border + 1% FX = 4.59%; 1000 × 4.59% = 45.9 → 46, + 45 = 91', () => {
    expect(feeFor(schedule('braintree'), payment(1000, 'EUR', { issuerCountry: 'FR' }))).toBe(91);
  });

  it('a currency without a price has no fee (null), so the cost model can leave the gateway unpriced', () => {
    expect(feeFor(schedule('braintree'), payment(1000, 'JPY'))).toBeNull();
  });
});

describe('feeFor by payment method, with caps', () => {
  it('stripe, SEPA debit of 1,000.00 EUR: 35 cents flat, not the card price', () => {
    expect(feeFor(schedule('stripe'), byMethod('sepa_debit', 100_000, 'EUR'))).toBe(35);
  });

  it('adyen, ACH debit: 0.6 % + 13 cents, never more than its $5 cap', () => {
    expect(feeFor(schedule('adyen'), byMethod('ach_debit', 10_000, 'USD'))).toBe(73);
    expect(feeFor(schedule('adyen'), byMethod('ach_debit', 90_000, 'USD'))).toBe(500);
    expect(feeFor(schedule('adyen'), byMethod('ach_debit', 1_000_000, 'USD'))).toBe(500);
  });

  it('a wallet not priced apart pays the card price', () => {
    expect(feeFor(schedule('stripe'), { ...payment(10_000, 'USD'), paymentMethod: 'apple_pay' })).toBe(320);
  });

  it('gocardless, SEPA debit: 1 % + 20 cents up to a 4 euro cap', () => {
    expect(feeFor(schedule('gocardless'), byMethod('sepa_debit', 5_000, 'EUR'))).toBe(70);
    expect(feeFor(schedule('gocardless'), byMethod('sepa_debit', 500_000, 'EUR'))).toBe(400);
  });

  it('bitpay, 100.00 EUR in crypto: 1 %, no fixed fee', () => {
    expect(feeFor(schedule('bitpay'), byMethod('crypto', 10_000, 'EUR'))).toBe(100);
  });

  it('paypal, 100.00 USD: 3.49 % + 49 cents', () => {
    expect(feeFor(schedule('paypal'), byMethod('paypal', 10_000, 'USD'))).toBe(398);
  });
});

describe('parseFeeSchedules', () => {
  const rows = [
    'gateways:',
    '  stripe:',
    '    country: usa',
    '    settlement_currencies: [USD, usd]',
    '    prices:',
    '      USD: { percent_bps: 290.5, fixed: 30 }',
    '      XYZ: { percent_bps: 100, fixed: 0 }',
    '      EUR: { percent_bps: 100 }',
    '    card_networks:',
    '      amexx: { USD: { percent_bps: 350, fixed: 30 } }',
    '    cross_border_bps: 20000',
    '    fx_markup: 100',
    '  Adyen:',
    '    settlement_currencies: [EUR]',
    '    prices: {}',
  ];
  const result = parseFeeSchedules(rows.join('\n'), 'fees.yaml');

  it('reports every error at its line and column', () => {
    const at = (line: number, text: string) => `fees.yaml:${line}:${rows[line - 1]!.indexOf(text) + 1}`;
    expect('errors' in result && result.errors.map(formatError)).toEqual([
      `${at(3, 'usa')}: bad country 'usa': expected an ISO 3166 alpha-2 code in upper case, like US`,
      `${at(4, 'usd')}: unknown currency 'usd': expected an ISO 4217 code (did you mean 'USD'?)`,
      `${at(6, '290.5')}: \`percent_bps\` must be an integer, got 290.5`,
      `${at(7, 'XYZ')}: unknown currency 'XYZ': expected an ISO 4217 code`,
      `${at(8, '{ percent_bps')}: the EUR price needs \`percent_bps\` (basis points) and \`fixed\` (minor units)`,
      `${at(10, 'amexx')}: unknown card network 'amexx': expected one of visa, mastercard, amex, discover, diners, jcb, unionpay, maestro, unknown (did you mean 'amex'?)`,
      `${at(11, '20000')}: \`cross_border_bps\` must be between 0 and 10000, got 20000`,
      `${at(12, 'fx_markup')}: unknown field 'fx_markup' in the schedule of 'stripe' (did you mean 'fx_markup_bps'?)`,
      `${at(13, 'Adyen')}: bad gateway account name 'Adyen': use lower case letters, digits, '-' and '_'`,
      `${at(14, 'settlement')}: the schedule of 'Adyen' needs \`country\``,
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const broken = parseFeeSchedules('gateways:\n  stripe: {\n', 'fees.yaml');
    expect('errors' in broken && broken.errors.map(formatError)[0]).toMatch(/^fees\.yaml:\d+:\d+: /);
  });

  it('lists every account of the shipped file', () => {
    expect([...shipped.schedules.keys()]).toEqual(['stripe', 'adyen', 'braintree', 'checkout', 'paypal', 'gocardless', 'bitpay']);
  });

  it('refuses an unknown payment method, a cap below the fixed fee and a negative cap', () => {
    const bad = [
      'gateways:',
      '  gc:',
      '    country: GB',
      '    settlement_currencies: [EUR]',
      '    prices:',
      '      EUR: { percent_bps: 100, fixed: 20, cap: 10 }',
      '    payment_methods:',
      '      sepa_debitt: { EUR: { percent_bps: 0, fixed: 35 } }',
      '      ach_debit: { USD: { percent_bps: 80, fixed: 0, cap: -1 } }',
    ];
    const parsed = parseFeeSchedules(bad.join('\n'), 'fees.yaml');
    const at = (line: number, text: string) => `fees.yaml:${line}:${bad[line - 1]!.indexOf(text) + 1}`;
    expect('errors' in parsed && parsed.errors.map(formatError)).toEqual([
      `${at(6, '10 }')}: \`cap\` (10) is below \`fixed\` (20): every EUR payment would pay the cap`,
      `${at(8, 'sepa_debitt')}: unknown payment method 'sepa_debitt': expected one of ${PAYMENT_METHOD_TYPES.join(', ')} (did you mean 'sepa_debit'?)`,
      `${at(9, '-1')}: \`cap\` (minor units) must be at least 0, got -1`,
    ]);
  });
});
