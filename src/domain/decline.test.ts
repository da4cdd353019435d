import { describe, expect, it } from 'vitest';
import { DECLINE_REASONS, decline, unmappedDecline, unmappedDeclineCounts } from './decline.js';

describe('decline taxonomy', () => {
  it('gives every reason a message and independent cascade and retry flags', () => {
    for (const reason of DECLINE_REASONS) {
      const d = decline(reason, 'x');
      expect(d.message.length, reason).toBeGreaterThan(0);
      expect(['never', 'later', 'with_new_data']).toContain(d.retry);
    }
    // The two flags are independent: some soft declines cascade, some do not.
    expect(decline('generic_decline', 'x')).toMatchObject({ cascade: true, retry: 'later' });
    expect(decline('insufficient_funds', 'x')).toMatchObject({ cascade: false, retry: 'later' });
  });

  it.each(['lost_or_stolen', 'suspected_fraud', 'invalid_number', 'restricted_card'] as const)(
    'a hard decline (%s) is never retried and never cascades',
    (reason) => {
      expect(decline(reason, 'x')).toMatchObject({ cascade: false, retry: 'never' });
    },
  );

  it.each(['03', '21'])('Mastercard advice code %s means never again, whatever the reason', (advice) => {
    expect(decline('generic_decline', 'x', advice)).toMatchObject({ cascade: false, retry: 'never', adviceCode: advice });
    expect(decline('insufficient_funds', 'x', advice)).toMatchObject({ retry: 'never' });
  });

  it('keeps other advice codes without overriding the flags', () => {
    expect(decline('generic_decline', 'x', '01')).toMatchObject({ cascade: true, retry: 'later', adviceCode: '01' });
  });

  it('maps an unknown code to the safe default and counts it, never throwing', () => {
    const before = unmappedDeclineCounts().get('acme:Z9') ?? 0;
    expect(unmappedDecline('acme', 'Z9')).toMatchObject({ reason: 'unknown', cascade: false, providerCode: 'Z9' });
    unmappedDecline('acme', 'Z9');
    expect(unmappedDeclineCounts().get('acme:Z9')).toBe(before + 2);
  });
});
