import { describe, expect, it } from 'vitest';
import { decline } from '../../src/domain/decline.js';
import { ISSUES, paypalDecline } from './declines.js';

describe('PayPal declines', () => {
  it.each(Object.entries(ISSUES))('%s → %s with the taxonomy\'s flags', (issue, reason) => {
    expect(paypalDecline(issue)).toEqual(decline(reason, issue));
  });

  it('an instrument declined may cascade; a payee block or a restricted payer never retries', () => {
    expect(paypalDecline('INSTRUMENT_DECLINED')).toMatchObject({ reason: 'generic_decline', cascade: true });
    expect(paypalDecline('PAYEE_BLOCKED_TRANSACTION')).toMatchObject({ reason: 'suspected_fraud', cascade: false, retry: 'never' });
    expect(paypalDecline('PAYER_CANNOT_PAY')).toMatchObject({ reason: 'restricted_card', retry: 'never' });
  });

  it('an unknown or missing issue is the safe default: unknown, no cascade', () => {
    expect(paypalDecline('SOMETHING_NEW')).toMatchObject({ reason: 'unknown', providerCode: 'SOMETHING_NEW', cascade: false });
    expect(paypalDecline(undefined)).toMatchObject({ reason: 'unknown', cascade: false });
  });
});
