import { describe, expect, it } from 'vitest';
import type { DeclineReason } from '../../src/domain/decline.js';
import { unmappedDeclineCounts } from '../../src/domain/decline.js';
import { adyenDecline, REFUSAL_REASONS } from './declines.js';

/** Every documented refusal: code, Adyen's text, canonical reason, cascade. */
const ROWS: ReadonlyArray<[string, string, DeclineReason, boolean]> = [
  ['0', 'Unknown', 'processing_error', true],
  ['2', 'Refused', 'do_not_honor', true],
  ['3', 'Referral', 'do_not_honor', true],
  ['4', 'Acquirer Error', 'processing_error', true],
  ['5', 'Blocked Card', 'lost_or_stolen', false],
  ['6', 'Expired Card', 'expired_card', false],
  ['7', 'Invalid Amount', 'restricted_card', false],
  ['8', 'Invalid Card Number', 'invalid_number', false],
  ['9', 'Issuer Unavailable', 'issuer_unavailable', true],
  ['10', 'Not supported', 'restricted_card', false],
  ['11', '3D Not Authenticated', 'authentication_required', false],
  ['12', 'Not enough balance', 'insufficient_funds', false],
  ['14', 'Acquirer Fraud', 'suspected_fraud', false],
  ['15', 'Cancelled', 'processing_error', true],
  ['16', 'Shopper Cancelled', 'authentication_required', false],
  ['17', 'Invalid Pin', 'invalid_cvc', false],
  ['18', 'Pin tries exceeded', 'velocity_exceeded', false],
  ['19', 'Pin validation not possible', 'processing_error', true],
  ['20', 'FRAUD', 'suspected_fraud', false],
  ['21', 'Not Submitted', 'processing_error', true],
  ['22', 'FRAUD-CANCELLED', 'suspected_fraud', false],
  ['23', 'Transaction Not Permitted', 'restricted_card', false],
  ['24', 'CVC Declined', 'invalid_cvc', false],
  ['25', 'Restricted Card', 'restricted_card', false],
  ['26', 'Revocation Of Auth', 'restricted_card', false],
  ['27', 'Declined Non Generic', 'generic_decline', true],
  ['28', 'Withdrawal amount exceeded', 'velocity_exceeded', false],
  ['29', 'Withdrawal count exceeded', 'velocity_exceeded', false],
  ['31', 'Issuer Suspected Fraud', 'suspected_fraud', false],
  ['32', 'AVS Declined', 'invalid_cvc', false],
  ['33', 'Card requires online pin', 'authentication_required', false],
  ['34', 'No checking account available on Card', 'restricted_card', false],
  ['35', 'No savings account available on Card', 'restricted_card', false],
  ['36', 'Mobile pin required', 'authentication_required', false],
  ['37', 'Contactless fallback', 'authentication_required', false],
  ['38', 'Authentication required', 'authentication_required', false],
  ['39', 'RReq not received from DS', 'authentication_required', false],
  ['40', 'Current AID is in Penalty Box', 'restricted_card', false],
  ['41', 'CVM Required Restart Payment', 'authentication_required', false],
  ['42', '3DS Authentication Error', 'authentication_required', false],
  ['43', 'Online PIN required', 'authentication_required', false],
  ['44', 'Try another interface', 'authentication_required', false],
  ['45', 'Chip downgrade mode', 'processing_error', true],
  ['46', 'Transaction blocked by Adyen to prevent excessive retry fees', 'velocity_exceeded', false],
];

describe('adyenDecline', () => {
  it('has a row here for every code in the table', () => {
    expect(ROWS.map(([code]) => code).sort()).toEqual(Object.keys(REFUSAL_REASONS).sort());
  });

  it.each(ROWS)('code %s (%s) → %s', (code, text, reason, cascade) => {
    const result = adyenDecline({ refusalReasonCode: code, refusalReason: text });
    expect(result).toMatchObject({ reason, providerCode: code, cascade, adviceCode: null });
    expect(REFUSAL_REASONS[code]?.text).toBe(text);
    expect(unmappedDeclineCounts().get(`adyen:${code}`)).toBeUndefined();
  });

  it.each(ROWS)('text only (as notifications carry it): %s %s', (code, text, reason) => {
    expect(adyenDecline({ refusalReason: text.toUpperCase() })).toMatchObject({ reason, providerCode: code });
  });

  it("maps the notification wording of a failed 3-D Secure authentication", () => {
    expect(adyenDecline({ refusalReason: '3d-secure: Authentication failed' })).toMatchObject({
      reason: 'authentication_required',
      providerCode: '11',
    });
  });

  it('lets the code win over a differing text', () => {
    expect(adyenDecline({ refusalReasonCode: '12', refusalReason: 'Refused' }).reason).toBe('insufficient_funds');
  });

  it('maps an unknown code to unknown, which never cascades, and counts it without throwing', () => {
    const count = (code: string) => unmappedDeclineCounts().get(`adyen:${code}`) ?? 0;
    const before = [count('999'), count('Refused'), count('Brand new text')];
    expect(adyenDecline({ refusalReasonCode: '999', refusalReason: 'Something new' })).toMatchObject({ reason: 'unknown', providerCode: '999', cascade: false });
    expect(adyenDecline({}).reason).toBe('unknown');
    expect(adyenDecline({ refusalReason: 'Brand new text' }).providerCode).toBe('Brand new text');
    expect([count('999'), count('Refused'), count('Brand new text')]).toEqual(before.map((n) => n + 1));
  });

  it("passes on the leading two digits of Mastercard's merchant advice code", () => {
    const result = adyenDecline({ refusalReasonCode: '2', merchantAdviceCode: '01: New account information available' });
    expect(result).toMatchObject({ reason: 'do_not_honor', adviceCode: '01', cascade: true });
  });

  it('never retries anywhere after merchant advice 03 (do not try again)', () => {
    const result = adyenDecline({ refusalReasonCode: '2', merchantAdviceCode: '03: Do not try again' });
    expect(result).toMatchObject({ adviceCode: '03', cascade: false, retry: 'never' });
  });

  it('ignores an advice code that does not start with two digits', () => {
    expect(adyenDecline({ refusalReasonCode: '2', merchantAdviceCode: 'n/a' }).adviceCode).toBeNull();
  });
});
