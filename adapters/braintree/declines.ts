import { decline, unmappedDecline, type Decline, type DeclineReason } from '../../src/domain/decline.js';

/**
 * Braintree's processor response codes (reference/general/processor-responses/authorization-responses):
 * 2000–2999 are declines by the processor or issuer, 3000–3999 problems on the processing
 * network. Each maps to a canonical reason; the text is Braintree's, for the simulator and support.
 *
 * Choices the table encodes:
 * - Merchant setup and processor-side errors (2023–2028, 2030, 2031, 2039, 2040, 2042, 2045…)
 *   are `processing_error`: the card is not at fault, so another gateway may succeed.
 * - Codes Mastercard forbids retrying (2009, 2012, 2019, 2022, 2047, 2053) map to reasons that
 *   never retry with the same data.
 * - 2016 and 2069 (duplicate transaction) map to `unknown`: an earlier identical charge may exist,
 *   so neither cascading nor an immediate retry is safe.
 * - AVS failures (2059, 2060) are `suspected_fraud`: the merchant's own risk rule refused the
 *   address, and the taxonomy has no address reason; cascading would route around that rule.
 * - 2063–2100 are PayPal-specific and cannot occur for cards; they are mapped for completeness.
 */
const PROCESSOR_CODES: Readonly<Record<string, readonly [DeclineReason, string]>> = {
  '2000': ['do_not_honor', 'Do Not Honor'],
  '2001': ['insufficient_funds', 'Insufficient Funds'],
  '2002': ['velocity_exceeded', 'Limit Exceeded'],
  '2003': ['velocity_exceeded', "Cardholder's Activity Limit Exceeded"],
  '2004': ['expired_card', 'Expired Card'],
  '2005': ['invalid_number', 'Invalid Credit Card Number'],
  '2006': ['expired_card', 'Invalid Expiration Date'],
  '2007': ['invalid_number', 'No Account'],
  '2008': ['invalid_number', 'Card Account Length Error'],
  '2009': ['invalid_number', 'No Such Issuer'],
  '2010': ['invalid_cvc', 'Card Issuer Declined CVV'],
  '2011': ['do_not_honor', 'Voice Authorization Required'],
  '2012': ['lost_or_stolen', 'Processor Declined - Possible Lost Card'],
  '2013': ['lost_or_stolen', 'Processor Declined - Possible Stolen Card'],
  '2014': ['suspected_fraud', 'Processor Declined - Fraud Suspected'],
  '2015': ['restricted_card', 'Transaction Not Allowed'],
  '2016': ['unknown', 'Duplicate Transaction'],
  '2017': ['restricted_card', 'Cardholder Stopped Billing'],
  '2018': ['restricted_card', 'Cardholder Stopped All Billing'],
  '2019': ['restricted_card', 'Invalid Transaction'],
  '2020': ['restricted_card', 'Violation'],
  '2021': ['suspected_fraud', 'Security Violation'],
  '2022': ['expired_card', 'Declined - Updated Cardholder Available'],
  '2023': ['processing_error', 'Processor Does Not Support This Feature'],
  '2024': ['processing_error', 'Card Type Not Enabled'],
  '2025': ['processing_error', 'Set Up Error - Merchant'],
  '2026': ['processing_error', 'Invalid Merchant ID'],
  '2027': ['processing_error', 'Set Up Error - Amount'],
  '2028': ['processing_error', 'Set Up Error - Hierarchy'],
  '2029': ['restricted_card', 'Set Up Error - Card'],
  '2030': ['processing_error', 'Set Up Error - Terminal'],
  '2031': ['processing_error', 'Encryption Error'],
  '2032': ['processing_error', 'Surcharge Not Permitted'],
  '2033': ['processing_error', 'Inconsistent Data'],
  '2034': ['processing_error', 'No Action Taken'],
  '2035': ['generic_decline', 'Partial Approval For Amount In Group III Version'],
  '2036': ['processing_error', 'Authorization could not be found'],
  '2037': ['processing_error', 'Already Reversed'],
  '2038': ['generic_decline', 'Processor Declined'],
  '2039': ['processing_error', 'Invalid Authorization Code'],
  '2040': ['processing_error', 'Invalid Store'],
  '2041': ['do_not_honor', 'Declined - Call For Approval'],
  '2042': ['processing_error', 'Invalid Client ID'],
  '2043': ['restricted_card', 'Error - Do Not Retry, Call Issuer'],
  '2044': ['do_not_honor', 'Declined - Call Issuer'],
  '2045': ['processing_error', 'Invalid Merchant Number'],
  '2046': ['generic_decline', 'Declined'],
  '2047': ['lost_or_stolen', 'Call Issuer. Pick Up Card'],
  '2048': ['processing_error', 'Invalid Amount'],
  '2049': ['processing_error', 'Invalid SKU Number'],
  '2050': ['restricted_card', 'Invalid Credit Plan'],
  '2051': ['invalid_number', 'Credit Card Number does not match method of payment'],
  '2052': ['processing_error', 'Invalid Level III Purchase'],
  '2053': ['lost_or_stolen', 'Card reported as lost or stolen'],
  '2054': ['processing_error', 'Reversal amount does not match authorization amount'],
  '2055': ['processing_error', 'Invalid Transaction Division Number'],
  '2056': ['processing_error', 'Transaction amount exceeds the transaction division limit'],
  '2057': ['restricted_card', 'Issuer or Cardholder has put a restriction on the card'],
  '2058': ['authentication_required', 'Merchant not Mastercard SecureCode enabled'],
  '2059': ['suspected_fraud', 'Address Verification Failed'],
  '2060': ['suspected_fraud', 'Address Verification and Card Security Code Failed'],
  '2061': ['generic_decline', 'Invalid Transaction Data'],
  '2062': ['processing_error', 'Invalid Tax Amount'],
  '2063': ['processing_error', 'PayPal Business Account preference resulted in the transaction failing'],
  '2064': ['processing_error', 'Invalid Currency Code'],
  '2065': ['processing_error', 'Refund Time Limit Exceeded'],
  '2066': ['processing_error', 'PayPal Business Account Restricted'],
  '2067': ['processing_error', 'Authorization Expired'],
  '2068': ['processing_error', 'PayPal Business Account Locked or Closed'],
  '2069': ['unknown', 'PayPal Blocking Duplicate Order IDs'],
  '2070': ['restricted_card', 'PayPal Buyer Revoked Pre-Approved Payment Authorization'],
  '2071': ['processing_error', 'PayPal Payee Account Invalid Or Does Not Have a Confirmed Email'],
  '2072': ['processing_error', 'PayPal Payee Email Incorrectly Formatted'],
  '2073': ['processing_error', 'PayPal Validation Error'],
  '2074': ['generic_decline', 'Funding Instrument In The PayPal Account Was Declined By The Processor Or Bank'],
  '2075': ['restricted_card', 'Payer Account Is Locked Or Closed'],
  '2076': ['restricted_card', 'Payer Cannot Pay For This Transaction With PayPal'],
  '2077': ['suspected_fraud', 'Transaction Refused Due To PayPal Risk Model'],
  '2078': ['processing_error', 'Invalid Secure Payment Data'],
  '2079': ['processing_error', 'PayPal Merchant Account Configuration Error'],
  '2080': ['processing_error', 'Invalid user credentials'],
  '2081': ['processing_error', 'PayPal pending payments are not supported'],
  '2082': ['restricted_card', 'PayPal Domestic Transaction Required'],
  '2083': ['restricted_card', 'PayPal Phone Number Required'],
  '2084': ['restricted_card', 'PayPal Tax Info Required'],
  '2085': ['suspected_fraud', 'PayPal Payee Blocked Transaction'],
  '2086': ['velocity_exceeded', 'PayPal Transaction Limit Exceeded'],
  '2087': ['processing_error', 'PayPal reference transactions not enabled for your account'],
  '2088': ['processing_error', 'Currency not enabled for your PayPal seller account'],
  '2089': ['processing_error', 'PayPal payee email permission denied for this request'],
  '2090': ['processing_error', 'PayPal or Venmo account not configured to refund more than settled amount'],
  '2091': ['processing_error', 'Currency of this transaction must match currency of your PayPal account'],
  '2092': ['generic_decline', 'No Data Found - Try Another Verification Method'],
  '2093': ['restricted_card', 'PayPal payment method is invalid'],
  '2094': ['processing_error', 'PayPal payment has already been completed'],
  '2095': ['processing_error', 'PayPal refund is not allowed after partial refund'],
  '2096': ['restricted_card', "PayPal buyer account can't be the same as the seller account"],
  '2097': ['velocity_exceeded', 'PayPal authorization amount limit exceeded'],
  '2098': ['velocity_exceeded', 'PayPal authorization count limit exceeded'],
  '2099': ['authentication_required', 'Cardholder Authentication Required'],
  '2100': ['processing_error', 'PayPal channel initiated billing not enabled for your account'],
  '2101': ['authentication_required', 'Additional authorization required'],
  '2102': ['invalid_cvc', 'Incorrect PIN'],
  '2103': ['velocity_exceeded', 'PIN try exceeded'],
  '2104': ['generic_decline', 'Offline Issuer Declined'],
  '2105': ['generic_decline', 'Cannot Authorize at this time (Life cycle)'],
  '2106': ['generic_decline', 'Cannot Authorize at this time (Policy)'],
  '2107': ['restricted_card', 'Card Not Activated'],
  '2108': ['restricted_card', 'Closed Card'],
};

/** Braintree documents 2109–2999 as a generic "Processor Declined" and the 3000 class as the processing network failing. */
function rangeEntry(code: string): readonly [DeclineReason, string] | undefined {
  if (!/^\d{4}$/.test(code)) return undefined;
  const value = Number(code);
  if (value >= 2109 && value <= 2999) return ['generic_decline', 'Processor Declined'];
  // The processor definitively refused this attempt (nothing was authorized), and the fault is
  // Braintree's processing network, not the card: another gateway may succeed now.
  if (value >= 3000 && value <= 3999) return ['processing_error', 'Processor Network Unavailable - Try Again'];
  return undefined;
}

/** Gateway rejections: Braintree's own rules refused the transaction before or after the processor answered. */
const GATEWAY_REJECTIONS: Readonly<Record<string, DeclineReason>> = {
  cvv: 'invalid_cvc',
  avs: 'suspected_fraud',
  avs_and_cvv: 'suspected_fraud',
  fraud: 'suspected_fraud',
  risk_threshold: 'suspected_fraud',
  duplicate: 'unknown',
  // The card was retried more often than the networks allow: another gateway must not try it either.
  excessive_retry: 'velocity_exceeded',
  three_d_secure: 'authentication_required',
  // The merchant account cannot process yet, or Braintree failed to create a network token: not the card's fault.
  application_incomplete: 'processing_error',
  token_issuance: 'processing_error',
};

/**
 * Validation errors on the card fields of a sale: the card data is wrong, so the attempt is a
 * decline without a transaction (like a processor's 2005), not a request another gateway should get.
 * 81717 (not an accepted test number) is not one: it is the sandbox refusing a real-looking card,
 * which says nothing about the card, so it stays a refused request another gateway may take.
 */
const CARD_VALIDATION_ERRORS: Readonly<Record<string, DeclineReason>> = {
  '81715': 'invalid_number', // Credit card number is invalid.
  '81716': 'invalid_number', // Credit card number must be 12-19 digits.
  '81706': 'invalid_cvc', // CVV is required.
  '81707': 'invalid_cvc', // CVV must be 4 digits for American Express and 3 digits for other card types.
  '81710': 'expired_card', // Expiration date is invalid.
  '81711': 'expired_card', // Expiration date year is invalid.
  '81712': 'expired_card', // Expiration month is invalid.
  '81713': 'expired_card', // Expiration year is invalid.
};

const APPROVALS: Readonly<Record<string, string>> = {
  '1000': 'Approved',
  '1001': 'Approved, check customer ID',
  '1002': 'Processed',
  '1003': 'Approved with Risk',
  '1004': 'Approved for Partial Amount',
  '1005': 'Auth Declined but Settlement Captured',
};

/** Braintree's text for a processor response code, for the simulator. */
export function processorResponseText(code: string): string {
  return APPROVALS[code] ?? (PROCESSOR_CODES[code] ?? rangeEntry(code))?.[1] ?? 'Unknown Processor Response';
}

/** A processor decline (status `processor_declined` or `failed`), with the Mastercard merchant advice code when Braintree passes one. */
export function processorDecline(code: string | null | undefined, adviceCode: string | null = null): Decline {
  const providerCode = code || 'processor_declined';
  const entry = PROCESSOR_CODES[providerCode] ?? rangeEntry(providerCode);
  return entry ? decline(entry[0], providerCode, adviceCode) : unmappedDecline('braintree', providerCode, adviceCode);
}

/** A gateway rejection (status `gateway_rejected`), by its `gatewayRejectionReason`. */
export function gatewayRejection(reason: string | null | undefined): Decline {
  const providerCode = reason || 'gateway_rejected';
  const mapped = GATEWAY_REJECTIONS[providerCode];
  return mapped ? decline(mapped, providerCode) : unmappedDecline('braintree', providerCode);
}

/** The decline for a sale refused over its card fields, or null when no error code is about the card. */
export function cardValidationDecline(errorCodes: readonly string[]): Decline | null {
  const code = errorCodes.find((candidate) => CARD_VALIDATION_ERRORS[candidate] !== undefined);
  return code === undefined ? null : decline(CARD_VALIDATION_ERRORS[code]!, code);
}

/** Every mapped processor code with its reason, for the table-driven tests and the README. */
export function processorCodeTable(): ReadonlyArray<readonly [code: string, reason: DeclineReason, text: string]> {
  return Object.entries(PROCESSOR_CODES).map(([code, [reason, text]]) => [code, reason, text] as const);
}

export function gatewayRejectionTable(): ReadonlyArray<readonly [reason: string, canonical: DeclineReason]> {
  return Object.entries(GATEWAY_REJECTIONS);
}
