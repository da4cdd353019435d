import { decline, unmappedDecline, type Decline, type DeclineReason } from '../../src/domain/decline.js';

/**
 * PayPal's `details[].issue` codes that decline a payment (HTTP 422 UNPROCESSABLE_ENTITY on an
 * order's capture or authorize, or on an authorization's capture), from "Orders v2 errors"
 * (developer.paypal.com/api/rest/reference/orders/v2/errors, read 2026-11-30). The payer pays with
 * their PayPal account, so the "card" reasons stand for its funding: the canonical reason carries the
 * cascade and retry flags (src/domain/decline.ts).
 */
export const ISSUES: Readonly<Record<string, DeclineReason>> = {
  // "The instrument presented was either declined by the processor or bank, or it can't be used for this payment": the payer may pick another funding source.
  INSTRUMENT_DECLINED: 'generic_decline',
  // "The transaction was refused."
  TRANSACTION_REFUSED: 'do_not_honor',
  // "The payer must take an action (approve again, add a funding source) before the order can be completed."
  PAYER_ACTION_REQUIRED: 'authentication_required',
  REDIRECT_PAYER_FOR_ALTERNATE_FUNDING: 'authentication_required',
  // The payer left the approval without approving (our return without PayerID).
  ORDER_NOT_APPROVED: 'authentication_required',
  // "The payer cannot pay for this transaction": their account cannot fund it.
  PAYER_CANNOT_PAY: 'restricted_card',
  PAYER_ACCOUNT_RESTRICTED: 'restricted_card',
  PAYER_ACCOUNT_LOCKED_OR_CLOSED: 'restricted_card',
  COMPLIANCE_VIOLATION: 'restricted_card',
  // "The payee's risk settings block the transaction."
  PAYEE_BLOCKED_TRANSACTION: 'suspected_fraud',
  TRANSACTION_BLOCKED_BY_PAYEE: 'suspected_fraud',
  // "The number of attempts to pay for the order exceeded the maximum."
  MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED: 'velocity_exceeded',
  // A capture PayPal itself answered DECLINED (HTTP 201 with `status: DECLINED`).
  CAPTURE_DECLINED: 'generic_decline',
  AUTHORIZATION_DENIED: 'do_not_honor',
  // An order PayPal voided before it was approved (it expired): the payer never approved it.
  ORDER_VOIDED: 'authentication_required',
};

/** The decline for a PayPal issue code; one the table does not know maps to the safe default and is counted. */
export function paypalDecline(issue: string | null | undefined): Decline {
  const code = issue?.trim() || undefined;
  const reason = code === undefined ? undefined : ISSUES[code];
  if (code === undefined || reason === undefined) return unmappedDecline('paypal', code ?? 'declined');
  return decline(reason, code);
}

/** Whether an issue code declines the payment (as opposed to refusing our request). */
export function isDeclineIssue(issue: string): boolean {
  return issue in ISSUES;
}
