import { describe, expect, it } from 'vitest';
import { decline, unmappedDeclineCounts } from '../../src/domain/decline.js';
import { checkoutDecline, RESPONSE_CODES } from './declines.js';

describe('Checkout.com response codes', () => {
  it.each(Object.entries(RESPONSE_CODES))('%s (%o) maps with the taxonomy\'s flags', (code, { reason }) => {
    expect(checkoutDecline(code)).toEqual(decline(reason, code));
  });

  it.each([
    ['20005', 'do_not_honor', true],
    ['20051', 'insufficient_funds', false],
    ['20054', 'expired_card', false],
    ['20059', 'suspected_fraud', false],
    ['20091', 'issuer_unavailable', true],
    ['20099', 'generic_decline', true],
    ['20151', 'authentication_required', false],
    ['30041', 'lost_or_stolen', false],
    ['30043', 'lost_or_stolen', false],
    ['40101', 'suspected_fraud', false],
  ] as const)('%s is %s, cascade %s', (code, reason, cascade) => {
    expect(checkoutDecline(code)).toMatchObject({ reason, cascade, providerCode: code });
  });

  it('never retries a hard decline (30xxx) or a risk block (4xxxx) anywhere', () => {
    for (const code of Object.keys(RESPONSE_CODES).filter((c) => /^[34]/.test(c))) {
      const mapped = checkoutDecline(code);
      expect(mapped.cascade, code).toBe(false);
    }
  });

  it('sends an unknown or missing code to the safe default, counted', () => {
    const before = unmappedDeclineCounts().get('checkout:29999') ?? 0;
    expect(checkoutDecline('29999')).toMatchObject({ reason: 'unknown', cascade: false, providerCode: '29999' });
    expect(unmappedDeclineCounts().get('checkout:29999')).toBe(before + 1);
    expect(checkoutDecline(undefined)).toMatchObject({ reason: 'unknown', providerCode: 'declined' });
  });
});
