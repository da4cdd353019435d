import { describe, expect, it } from 'vitest';
import { stripeDecline } from './declines.js';

describe('Stripe decline mapping', () => {
  it.each([
    ['generic_decline', undefined, 'generic_decline', true],
    [undefined, 'card_declined', 'generic_decline', true],
    ['insufficient_funds', 'card_declined', 'insufficient_funds', false],
    [undefined, 'expired_card', 'expired_card', false],
    [undefined, 'incorrect_cvc', 'invalid_cvc', false],
    [undefined, 'incorrect_number', 'invalid_number', false],
    ['lost_card', 'card_declined', 'lost_or_stolen', false],
    ['stolen_card', 'card_declined', 'lost_or_stolen', false],
    ['fraudulent', 'card_declined', 'suspected_fraud', false],
    ['card_velocity_exceeded', 'card_declined', 'velocity_exceeded', false],
    ['do_not_honor', 'card_declined', 'do_not_honor', true],
    ['try_again_later', 'card_declined', 'issuer_unavailable', true],
    [undefined, 'processing_error', 'processing_error', true],
    ['authentication_required', 'card_declined', 'authentication_required', false],
    [undefined, 'payment_intent_authentication_failure', 'authentication_required', false],
  ] as const)('decline_code %s / code %s → %s (cascade %s)', (declineCode, code, reason, cascade) => {
    const decline = stripeDecline({ decline_code: declineCode, code });
    expect(decline.reason).toBe(reason);
    expect(decline.cascade).toBe(cascade);
    expect(decline.providerCode).toBe(declineCode ?? code);
    expect(decline.adviceCode).toBeNull();
  });

  it('reads an empty decline_code (as the SDK gives it) as absent', () => {
    expect(stripeDecline({ decline_code: '', code: 'expired_card' })).toMatchObject({ reason: 'expired_card', providerCode: 'expired_card' });
  });

  it('maps a code it does not know to the safe default: unknown, no cascade', () => {
    expect(stripeDecline({ decline_code: 'brand_new_code', code: 'card_declined' })).toMatchObject({ reason: 'unknown', cascade: false, providerCode: 'brand_new_code' });
  });

  it('never retries a hard decline anywhere', () => {
    for (const code of ['lost_card', 'stolen_card', 'fraudulent', 'pickup_card', 'incorrect_number']) {
      expect(stripeDecline({ decline_code: code, code: 'card_declined' }).retry).toBe('never');
    }
  });

  it.each([
    ['01', 'later', true],
    ['03', 'never', false],
    ['21', 'never', false],
    ['', 'later', true],
  ] as const)('passes network_advice_code %j on: retry %s, cascade %s', (advice, retry, cascade) => {
    const decline = stripeDecline({ code: 'card_declined', decline_code: 'do_not_honor', network_advice_code: advice });
    expect(decline).toMatchObject({ reason: 'do_not_honor', retry, cascade, adviceCode: advice === '' ? null : advice });
  });
});
