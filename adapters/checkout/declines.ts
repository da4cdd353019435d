import { decline, unmappedDecline, type Decline, type DeclineReason } from '../../src/domain/decline.js';

interface ResponseCode {
  /** Checkout.com's `response_summary` for this code. */
  text: string;
  reason: DeclineReason;
}

/**
 * Checkout.com `response_code` → canonical reason, from "API response codes"
 * (checkout.com/docs/resources/codes/api-response-codes): 20xxx soft declines (a later attempt may
 * succeed), 30xxx hard declines (the issuer or cardholder must act first), 4xxxx risk responses
 * (Checkout.com's own fraud rules). The canonical reason carries the cascade and retry flags
 * (src/domain/decline.ts); a code not listed here goes to `unmappedDecline`.
 */
export const RESPONSE_CODES: Readonly<Record<string, ResponseCode>> = {
  '20001': { text: 'Refer to card issuer', reason: 'do_not_honor' },
  '20002': { text: 'Refer to card issuer - Special conditions', reason: 'do_not_honor' },
  // Our merchant account is misconfigured at the acquirer: another gateway may well take it.
  '20003': { text: 'Invalid merchant or service provider', reason: 'processing_error' },
  '20005': { text: 'Declined - Do not honour', reason: 'do_not_honor' },
  '20006': { text: 'Error / Invalid request parameters', reason: 'processing_error' },
  '20009': { text: 'Request in progress', reason: 'processing_error' },
  '20012': { text: 'Invalid transaction', reason: 'restricted_card' },
  '20013': { text: 'Invalid value/amount', reason: 'restricted_card' },
  '20014': { text: 'Invalid account number (no such number)', reason: 'invalid_number' },
  '20015': { text: 'No such issuer', reason: 'invalid_number' },
  '20017': { text: 'Customer cancellation', reason: 'authentication_required' },
  '20019': { text: 'Re-enter transaction', reason: 'processing_error' },
  '20021': { text: 'No action taken (unable to back out prior transaction)', reason: 'processing_error' },
  '20022': { text: 'Suspected malfunction', reason: 'processing_error' },
  '20023': { text: 'Unacceptable transaction fee', reason: 'restricted_card' },
  '20030': { text: 'Format error', reason: 'processing_error' },
  '20031': { text: 'Bank not supported by switch', reason: 'restricted_card' },
  '20038': { text: 'Allowable PIN tries exceeded', reason: 'velocity_exceeded' },
  '20039': { text: 'No credit account', reason: 'restricted_card' },
  '20040': { text: 'Requested function not supported', reason: 'restricted_card' },
  '20042': { text: 'No universal account', reason: 'restricted_card' },
  '20046': { text: 'Closed account', reason: 'restricted_card' },
  '20051': { text: 'Insufficient funds', reason: 'insufficient_funds' },
  '20052': { text: 'No current (checking) account', reason: 'restricted_card' },
  '20053': { text: 'No savings account', reason: 'restricted_card' },
  '20054': { text: 'Expired card', reason: 'expired_card' },
  '20055': { text: 'Incorrect PIN', reason: 'invalid_cvc' },
  '20056': { text: 'No card record', reason: 'invalid_number' },
  '20057': { text: 'Transaction not permitted to cardholder', reason: 'restricted_card' },
  '20058': { text: 'Transaction not permitted to terminal', reason: 'restricted_card' },
  '20059': { text: 'Suspected fraud', reason: 'suspected_fraud' },
  '20060': { text: 'Card acceptor contact acquirer', reason: 'processing_error' },
  '20061': { text: 'Activity amount limit exceeded', reason: 'velocity_exceeded' },
  '20062': { text: 'Restricted card', reason: 'restricted_card' },
  '20063': { text: 'Security violation', reason: 'suspected_fraud' },
  '20064': { text: 'Transaction does not fulfil AML requirement', reason: 'restricted_card' },
  '20065': { text: 'Exceeds Withdrawal Frequency Limit', reason: 'velocity_exceeded' },
  '20066': { text: 'Card acceptor call acquirer security', reason: 'suspected_fraud' },
  '20067': { text: 'Hard capture - Pick up card', reason: 'lost_or_stolen' },
  '20068': { text: 'Response received too late / Timeout', reason: 'issuer_unavailable' },
  '20075': { text: 'Allowable number of PIN tries exceeded', reason: 'velocity_exceeded' },
  '20078': { text: 'Blocked, first use', reason: 'restricted_card' },
  '20082': { text: 'Negative CAM, dCVV, iCVV, or CVV results', reason: 'invalid_cvc' },
  '20083': { text: 'Unable to verify PIN', reason: 'invalid_cvc' },
  '20087': { text: 'Bad track data (invalid CVV and/or expiry date)', reason: 'invalid_cvc' },
  '20088': { text: 'Unable to locate previous message', reason: 'processing_error' },
  '20089': { text: 'Data inconsistent with original message', reason: 'processing_error' },
  '20090': { text: 'Cut-off in progress', reason: 'issuer_unavailable' },
  '20091': { text: 'Issuer unavailable or switch is inoperative', reason: 'issuer_unavailable' },
  '20092': { text: 'Destination cannot be found for routing', reason: 'issuer_unavailable' },
  '20093': { text: 'Transaction cannot be completed; violation of law', reason: 'restricted_card' },
  '20094': { text: 'Duplicate transmission', reason: 'processing_error' },
  '20095': { text: 'Reconcile error', reason: 'processing_error' },
  '20096': { text: 'System malfunction', reason: 'processing_error' },
  '20097': { text: 'Reserved for national use', reason: 'processing_error' },
  // "Other / unidentified responses": the issuer declined without saying why.
  '20099': { text: 'Other / Unidentified responses', reason: 'generic_decline' },
  '20100': { text: 'Invalid expiry date format', reason: 'expired_card' },
  '20101': { text: 'No valid account information', reason: 'invalid_number' },
  '20102': { text: 'Invalid expiry date', reason: 'expired_card' },
  '20103': { text: 'Card number not valid', reason: 'invalid_number' },
  '20105': { text: 'Payment blocked due to compliance reasons', reason: 'restricted_card' },
  '20150': { text: 'Card not 3D Secure enabled', reason: 'authentication_required' },
  '20151': { text: 'Cardholder failed 3D Secure authentication', reason: 'authentication_required' },
  '20152': { text: 'Initial 3DS transaction not completed within 15 minutes', reason: 'authentication_required' },
  '20153': { text: '3DS system malfunction', reason: 'authentication_required' },
  '20154': { text: '3DS authentication required', reason: 'authentication_required' },
  '20155': { text: '3DS authentication service provided invalid authentication result', reason: 'authentication_required' },
  '20156': { text: 'Requested function not supported by the acquirer', reason: 'restricted_card' },
  '20157': { text: 'Invalid merchant configurations - Contact Support', reason: 'processing_error' },
  '20179': { text: 'Lifecycle (Mastercard use only)', reason: 'do_not_honor' },
  '20182': { text: 'Policy (Mastercard use only)', reason: 'restricted_card' },
  '20183': { text: 'Security (Mastercard use only)', reason: 'suspected_fraud' },
  '30004': { text: 'Pick up card (No fraud)', reason: 'lost_or_stolen' },
  '30007': { text: 'Pick up card - Special conditions', reason: 'lost_or_stolen' },
  '30015': { text: 'No such issuer', reason: 'invalid_number' },
  '30033': { text: 'Expired card - Pick up', reason: 'expired_card' },
  '30034': { text: 'Suspected fraud - Pick up', reason: 'suspected_fraud' },
  '30035': { text: 'Contact acquirer - Pick up', reason: 'lost_or_stolen' },
  '30036': { text: 'Restricted card - Pick up', reason: 'restricted_card' },
  '30037': { text: 'Call acquirer security - Pick up', reason: 'suspected_fraud' },
  '30038': { text: 'Allowable PIN tries exceeded - Pick up', reason: 'velocity_exceeded' },
  '30041': { text: 'Lost card - Pick up', reason: 'lost_or_stolen' },
  '30043': { text: 'Stolen card - Pick up', reason: 'lost_or_stolen' },
  '30046': { text: 'Closed account', reason: 'restricted_card' },
  '40101': { text: 'Risk blocked transaction', reason: 'suspected_fraud' },
  '40201': { text: 'Gateway reject - card number blocklist', reason: 'suspected_fraud' },
  '40202': { text: 'Gateway reject - IP address blocklist', reason: 'suspected_fraud' },
  '40203': { text: 'Gateway reject - email blocklist', reason: 'suspected_fraud' },
  '40204': { text: 'Gateway reject - phone number blocklist', reason: 'suspected_fraud' },
  '40205': { text: 'Gateway reject - BIN number blocklist', reason: 'suspected_fraud' },
};

/**
 * A declined payment's `response_code`; a code the table does not know (or none at all) maps to the
 * safe default (`unknown`, which never cascades) and is counted. Checkout.com's normalised codes
 * carry no Mastercard merchant advice code (its raw `partner_response_code` is opt-in per account),
 * so none is passed on.
 */
export function checkoutDecline(responseCode: string | null | undefined): Decline {
  const code = responseCode?.trim() || undefined;
  const known = code === undefined ? undefined : RESPONSE_CODES[code];
  if (code === undefined || known === undefined) return unmappedDecline('checkout', code ?? 'declined');
  return decline(known.reason, code);
}
