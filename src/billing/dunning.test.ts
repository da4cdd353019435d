import { describe, expect, it } from 'vitest';
import { afterFailure, DEFAULT_DUNNING } from './dunning.js';

const first = new Date('2027-03-01T00:00:00Z');
const days = (n: number) => new Date(first.getTime() + n * 86_400_000);

describe('dunning', () => {
  it('retries a soft decline on the schedule, counted from the first attempt, then gives up', () => {
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'insufficient_funds' })).toEqual({ retryAt: days(1) });
    expect(afterFailure(DEFAULT_DUNNING, 2, first, days(1), { code: 'do_not_honor' })).toEqual({ retryAt: days(3) });
    expect(afterFailure(DEFAULT_DUNNING, 4, first, days(5), { code: 'generic_decline' })).toEqual({ retryAt: days(7) });
    expect(afterFailure(DEFAULT_DUNNING, 5, first, days(7), { code: 'generic_decline' })).toEqual({ stop: 'retries_exhausted' });
  });

  it('retries when no gateway was reached, as a soft failure', () => {
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'gateway_unavailable' })).toEqual({ retryAt: days(1) });
  });

  it.each(['lost_or_stolen', 'suspected_fraud', 'invalid_number', 'restricted_card', 'expired_card', 'authentication_required'])('stops at once on the hard decline %s', (code) => {
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code })).toEqual({ stop: code });
  });

  it("stops at once when the router's network retry guard refused the card, or the saved card is flagged", () => {
    for (const code of ['card_do_not_retry', 'card_retry_limit_reached', 'payment_method_flagged', 'stored_credential_missing']) {
      expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code })).toEqual({ stop: code });
    }
  });

  it('respects Mastercard merchant advice codes: 03 and 21 never again, 01 new data, 24–30 wait', () => {
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'do_not_honor', adviceCode: '03' })).toEqual({ stop: 'do_not_honor:advice_03' });
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'do_not_honor', adviceCode: '21' })).toEqual({ stop: 'do_not_honor:advice_21' });
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'do_not_honor', adviceCode: '01' })).toEqual({ stop: 'do_not_honor:advice_01' });
    // 26: not before 2 days, though the schedule says 1.
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'do_not_honor', adviceCode: '26' })).toEqual({ retryAt: days(2) });
    // 24: one hour, sooner than the schedule: the schedule wins.
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'do_not_honor', adviceCode: '24' })).toEqual({ retryAt: days(1) });
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'do_not_honor', adviceCode: '02' })).toEqual({ retryAt: days(1) });
  });

  it('stops when the decline flagged the saved card, whatever the reason says', () => {
    expect(afterFailure(DEFAULT_DUNNING, 1, first, first, { code: 'do_not_honor', cardFlagged: true })).toEqual({ stop: 'do_not_honor:card_flagged' });
  });

  it('takes a schedule per plan, and a retry already late runs now', () => {
    const policy = { retryDays: [2], onExhausted: 'canceled' as const };
    expect(afterFailure(policy, 1, first, first, { code: 'insufficient_funds' })).toEqual({ retryAt: days(2) });
    expect(afterFailure(policy, 1, first, days(5), { code: 'insufficient_funds' })).toEqual({ retryAt: days(5) });
    expect(afterFailure(policy, 2, first, days(5), { code: 'insufficient_funds' })).toEqual({ stop: 'retries_exhausted' });
  });
});
