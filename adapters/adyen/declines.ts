import { decline, unmappedDecline, type Decline, type DeclineReason } from '../../src/domain/decline.js';

interface RefusalReason {
  /** Adyen's `refusalReason` text for this code. */
  text: string;
  reason: DeclineReason;
}

/**
 * Adyen `refusalReasonCode` → canonical reason (docs.adyen.com/development-resources/refusal-reasons).
 * Codes 33–46 come from card-present and 3-D Secure flows; they map to what an online retry would need.
 */
export const REFUSAL_REASONS: Readonly<Record<string, RefusalReason>> = {
  '0': { text: 'Unknown', reason: 'processing_error' },
  '2': { text: 'Refused', reason: 'do_not_honor' },
  '3': { text: 'Referral', reason: 'do_not_honor' },
  '4': { text: 'Acquirer Error', reason: 'processing_error' },
  // Adyen reports lost, stolen and pick-up cards as blocked.
  '5': { text: 'Blocked Card', reason: 'lost_or_stolen' },
  '6': { text: 'Expired Card', reason: 'expired_card' },
  // Adyen advises against retrying: the amount is not acceptable to the issuer.
  '7': { text: 'Invalid Amount', reason: 'restricted_card' },
  '8': { text: 'Invalid Card Number', reason: 'invalid_number' },
  '9': { text: 'Issuer Unavailable', reason: 'issuer_unavailable' },
  '10': { text: 'Not supported', reason: 'restricted_card' },
  '11': { text: '3D Not Authenticated', reason: 'authentication_required' },
  '12': { text: 'Not enough balance', reason: 'insufficient_funds' },
  '14': { text: 'Acquirer Fraud', reason: 'suspected_fraud' },
  '15': { text: 'Cancelled', reason: 'processing_error' },
  // The shopper abandoned the payment (usually at authentication): sending it elsewhere unasked would be wrong.
  '16': { text: 'Shopper Cancelled', reason: 'authentication_required' },
  '17': { text: 'Invalid Pin', reason: 'invalid_cvc' },
  '18': { text: 'Pin tries exceeded', reason: 'velocity_exceeded' },
  '19': { text: 'Pin validation not possible', reason: 'processing_error' },
  '20': { text: 'FRAUD', reason: 'suspected_fraud' },
  '21': { text: 'Not Submitted', reason: 'processing_error' },
  '22': { text: 'FRAUD-CANCELLED', reason: 'suspected_fraud' },
  '23': { text: 'Transaction Not Permitted', reason: 'restricted_card' },
  '24': { text: 'CVC Declined', reason: 'invalid_cvc' },
  '25': { text: 'Restricted Card', reason: 'restricted_card' },
  // The cardholder revoked the authorization (stop payment order).
  '26': { text: 'Revocation Of Auth', reason: 'restricted_card' },
  '27': { text: 'Declined Non Generic', reason: 'generic_decline' },
  '28': { text: 'Withdrawal amount exceeded', reason: 'velocity_exceeded' },
  '29': { text: 'Withdrawal count exceeded', reason: 'velocity_exceeded' },
  '31': { text: 'Issuer Suspected Fraud', reason: 'suspected_fraud' },
  // An address mismatch: like a wrong CVC, only corrected card data can succeed, and it must not be shopped around.
  '32': { text: 'AVS Declined', reason: 'invalid_cvc' },
  '33': { text: 'Card requires online pin', reason: 'authentication_required' },
  '34': { text: 'No checking account available on Card', reason: 'restricted_card' },
  '35': { text: 'No savings account available on Card', reason: 'restricted_card' },
  '36': { text: 'Mobile pin required', reason: 'authentication_required' },
  '37': { text: 'Contactless fallback', reason: 'authentication_required' },
  '38': { text: 'Authentication required', reason: 'authentication_required' },
  '39': { text: 'RReq not received from DS', reason: 'authentication_required' },
  '40': { text: 'Current AID is in Penalty Box', reason: 'restricted_card' },
  '41': { text: 'CVM Required Restart Payment', reason: 'authentication_required' },
  '42': { text: '3DS Authentication Error', reason: 'authentication_required' },
  '43': { text: 'Online PIN required', reason: 'authentication_required' },
  '44': { text: 'Try another interface', reason: 'authentication_required' },
  '45': { text: 'Chip downgrade mode', reason: 'processing_error' },
  // Adyen stopped a retry the card networks would fine: no gateway may retry now.
  '46': { text: 'Transaction blocked by Adyen to prevent excessive retry fees', reason: 'velocity_exceeded' },
};

/** `refusalReason` text (lower case) → code, for notifications, which carry only the text. */
const CODES_BY_TEXT: ReadonlyMap<string, string> = new Map([
  ...Object.entries(REFUSAL_REASONS).map(([code, { text }]) => [text.toLowerCase(), code] as const),
  ['3d-secure: authentication failed', '11'],
]);

export interface AdyenRefusal {
  refusalReasonCode?: string | undefined;
  refusalReason?: string | undefined;
  /** `additionalData.merchantAdviceCode`, e.g. "03: Do not try again" (Mastercard). */
  merchantAdviceCode?: string | undefined;
}

/**
 * The code decides; the text is used when there is no code (notifications). The provider code kept is
 * Adyen's numeric code whenever it is known, so API answers and notifications agree. A code or text the
 * table does not know goes to the domain's `unmappedDecline`: `unknown`, never cascades, counted.
 */
export function adyenDecline(refusal: AdyenRefusal): Decline {
  const text = refusal.refusalReason?.trim() || undefined;
  const code = refusal.refusalReasonCode?.trim() || (text === undefined ? undefined : CODES_BY_TEXT.get(text.toLowerCase()));
  const advice = /^\d{2}/.exec(refusal.merchantAdviceCode?.trim() ?? '')?.[0] ?? null;
  const known = code === undefined ? undefined : REFUSAL_REASONS[code];
  if (code === undefined || known === undefined) return unmappedDecline('adyen', code ?? text ?? 'Refused', advice);
  return decline(known.reason, code, advice);
}
