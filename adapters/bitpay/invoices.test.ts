import { describe, expect, it } from 'vitest';
import { invoiceOutcome, invoiceQuote, type InvoiceAnswer } from './invoices.js';

const invoice = (overrides: InvoiceAnswer = {}): InvoiceAnswer => ({
  id: 'Hpqc62dfE1ZjzeeH4kEycF',
  url: 'https://test.bitpay.com/i/Hpqc62dfE1ZjzeeH4kEycF',
  status: 'new',
  exceptionStatus: false,
  price: 10,
  currency: 'USD',
  paymentTotals: { BTC: 19_500, BCH: 70_000 },
  exchangeRates: { BTC: { USD: 60_000 }, BCH: { USD: 400 } },
  ...overrides,
});

describe('BitPay invoices as outcomes', () => {
  it.each([
    ['new', 'requires_action'],
    ['paid', 'pending'],
    ['confirmed', 'approved'],
    ['complete', 'approved'],
    ['expired', 'declined'],
    ['invalid', 'declined'],
  ])('%s → %s', (status, kind) => {
    expect(invoiceOutcome(invoice({ status })).kind).toBe(kind);
  });

  it('a waiting invoice redirects the payer to its hosted page', () => {
    expect(invoiceOutcome(invoice())).toEqual({ kind: 'requires_action', reference: 'Hpqc62dfE1ZjzeeH4kEycF', nextAction: { type: 'redirect', url: 'https://test.bitpay.com/i/Hpqc62dfE1ZjzeeH4kEycF' } });
  });

  it('an expired invoice is payment_expired, or underpaid when part was paid', () => {
    expect(invoiceOutcome(invoice({ status: 'expired' }))).toMatchObject({ decline: { reason: 'payment_expired', providerCode: 'expired' } });
    expect(invoiceOutcome(invoice({ status: 'expired', exceptionStatus: 'paidPartial', transactionCurrency: 'BTC', amountPaid: 9_000 }))).toMatchObject({
      decline: { reason: 'underpaid' },
      crypto: { currency: 'BTC', amountDue: 19_500, amountPaid: 9_000, overpaid: 0 },
    });
  });

  it('an unknown status or a missing id is an answer it cannot read', () => {
    expect(invoiceOutcome(invoice({ status: 'refunded' }))).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
    expect(invoiceOutcome(invoice({ id: undefined }))).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
  });

  it('the quote: the coin paid, due and paid in its smallest unit, the overpaid part and the rate', () => {
    expect(invoiceQuote(invoice({ status: 'confirmed', transactionCurrency: 'BTC', amountPaid: 21_000, exceptionStatus: 'paidOver' }))).toEqual({ currency: 'BTC', amountDue: 19_500, amountPaid: 21_000, overpaid: 1_500, rate: 60_000 });
  });

  it('no quote before the payer picked a coin, or for a coin or amount it cannot hold', () => {
    expect(invoiceQuote(invoice())).toBeNull();
    expect(invoiceQuote(invoice({ transactionCurrency: 'ETH', paymentTotals: { ETH: 1 } }))).toBeNull();
    expect(invoiceQuote(invoice({ transactionCurrency: 'BTC', paymentTotals: { BTC: 0.5 } }))).toBeNull();
  });
});
