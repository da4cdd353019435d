import { describe, expect, it } from 'vitest';
import { countRequests, sumTotals } from './ledger-sums.js';

describe('ledger sums shared by the simulators', () => {
  const charges = [
    { currency: 'EUR', authorized: 1000, captured: 1000, refunded: 200 },
    { currency: 'USD', authorized: 500, captured: 0, refunded: 0 },
    { currency: 'EUR', authorized: 300, captured: 100, refunded: 0 },
  ];
  const totals = (currency?: string) => sumTotals(charges, currency, (c) => c.currency, (c) => c);

  it('sums every charge, or those of one currency in either case', () => {
    expect(totals()).toEqual({ authorized: 1800, captured: 1100, refunded: 200 });
    expect(totals('eur')).toEqual({ authorized: 1300, captured: 1100, refunded: 200 });
    expect(totals('USD')).toEqual({ authorized: 500, captured: 0, refunded: 0 });
    expect(totals('GBP')).toEqual({ authorized: 0, captured: 0, refunded: 0 });
  });

  it('counts every request, or those under a path prefix', () => {
    const requests = [{ path: '/v1/payment_intents' }, { path: '/v1/payment_intents/pi_1/capture' }, { path: '/v1/refunds' }];
    expect(countRequests(requests)).toBe(3);
    expect(countRequests(requests, '/v1/payment_intents')).toBe(2);
    expect(countRequests(requests, '/v2')).toBe(0);
  });
});
