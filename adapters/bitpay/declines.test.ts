import { describe, expect, it } from 'vitest';
import { bitpayDecline, BITPAY_DECLINE_CODES } from './declines.js';

describe('BitPay declines', () => {
  it.each([
    ['expired', 'payment_expired', false],
    ['expired_paidPartial', 'underpaid', false],
    ['invalid', 'processing_error', true],
  ] as const)('%s → %s (cascade %s)', (code, reason, cascade) => {
    expect(bitpayDecline(code)).toMatchObject({ reason, providerCode: code, cascade });
  });

  it('maps every code it names, and an unknown one safely', () => {
    expect(BITPAY_DECLINE_CODES).toEqual(['expired', 'expired_paidPartial', 'invalid']);
    expect(bitpayDecline('something_new')).toMatchObject({ reason: 'unknown', cascade: false });
  });
});
